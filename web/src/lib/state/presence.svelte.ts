import { PRESENCE_TTL_MS, type PresenceData } from '#lib/realtime/protocol.ts';

/** Someone else on this board, as their last presence announcement said. */
export interface Viewer {
  id: number;
  username: string;
  /** The card they are dragging, if any. */
  dragging: number | null;
  /** When the announcement lapses unless repeated (ms since the epoch). */
  until: number;
}

/** What an announcement of ours says. */
export interface Announcement {
  topic: string;
  viewing: boolean;
  dragging: number | null;
}

/**
 * Who else is looking at a board and which card each is dragging (SPEC §6 `presence`). The
 * server keeps no roster: each client announces itself when it opens the board, every half
 * `ttl` while it stays, when it picks up or drops a card, and again whenever a viewer it did
 * not know appears (so newcomers learn about everyone already there). An entry is forgotten when
 * its `ttl_ms` passes without a repeat, or at once on `viewing: false`.
 */
export class PresenceState {
  #viewers = $state<Viewer[]>([]);
  #dragging: number | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  readonly #topic: string;
  readonly #self: number | null;
  readonly #send: (announcement: Announcement) => void;

  /** Lookup of the viewer dragging each card. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt, never mutated
  readonly draggers = $derived(new Map(this.#viewers.filter((v) => v.dragging !== null).map((v) => [v.dragging!, v])));

  constructor(topic: string, self: number | null, send: (announcement: Announcement) => void) {
    this.#topic = topic;
    this.#self = self;
    this.#send = send;
  }

  get viewers(): Viewer[] {
    return this.#viewers;
  }

  /** Announces this viewer now and every half ttl until `stop()`; forgets lapsed entries. */
  start(): void {
    this.stop();
    this.announce();
    this.#timer = setInterval(() => this.announce(), PRESENCE_TTL_MS / 2);
    this.#sweeper = setInterval(() => this.sweep(Date.now()), 1000);
  }

  /** Says goodbye (the server also does when the socket unsubscribes) and stops the timers. */
  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#sweeper);
    this.#timer = this.#sweeper = undefined;
  }

  /** Forgets every entry (the socket dropped: the others will announce again). */
  reset(): void {
    this.#viewers = [];
  }

  /** Announces this viewer, dragging `this.#dragging`. */
  announce(): void {
    this.#send({ topic: this.#topic, viewing: true, dragging: this.#dragging });
  }

  /** This viewer picked up a card (`id`) or dropped it (`null`). */
  setDragging(id: number | null): void {
    if (id === this.#dragging) return;
    this.#dragging = id;
    this.announce();
  }

  /** Takes in someone's announcement; re-announces this viewer when they are new here. */
  receive(data: PresenceData, now = Date.now()): void {
    const user = data.user;
    if (user.id === this.#self) return;
    const known = this.#viewers.some((v) => v.id === user.id);
    const others = this.#viewers.filter((v) => v.id !== user.id);
    if (!data.viewing) {
      if (known) this.#viewers = others;
      return;
    }
    const viewer = { id: user.id, username: user.username, dragging: data.dragging, until: now + data.ttl_ms };
    this.#viewers = [...others, viewer].sort((a, b) => a.username.localeCompare(b.username));
    if (!known) this.announce();
  }

  /** Drops the entries whose announcement has lapsed by `now`. */
  sweep(now: number): void {
    if (this.#viewers.some((v) => v.until <= now)) this.#viewers = this.#viewers.filter((v) => v.until > now);
  }
}
