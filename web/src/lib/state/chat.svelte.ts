import { SvelteMap } from 'svelte/reactivity';
import { ApiError, type Api, type ChatMessage, type ChatRoom, type Me } from '#lib/api/index.ts';
import { ChatSendError, type RealtimeConnection } from '#lib/realtime/connection.svelte.ts';
import {
  EPHEMERAL,
  TYPING_TTL_MS,
  unknownEvent,
  type EphemeralMessage,
  type EventMessage,
  type TypingData,
} from '#lib/realtime/protocol.ts';

/** `sent`: stored by the server; `pending`: waiting for its ack; `failed`: not stored (retry). */
export type LineStatus = 'sent' | 'pending' | 'failed';

/** A message as the room shows it: a stored one, or one of ours on its way. */
export interface ChatLine {
  /** Stable across the pending → sent change: the client_id of our own, else `m{id}`. */
  key: string;
  id: number | null;
  author: number | null;
  /** The ticket's contact, for a reply that came by mail (author is then null). */
  contact: number | null;
  /** `email`: a reply by mail, shown "via email". */
  via: 'app' | 'email';
  body: string;
  clientId: string | null;
  createdAt: string;
  status: LineStatus;
  /** Why it was not sent. */
  error: string | null;
}

/** Messages per history page. */
export const HISTORY_PAGE = 50;
/** No ack by then: shown as not sent (a late ack still marks it sent; a retry is never stored twice). */
const ACK_TIMEOUT_MS = 8_000;
/** A `typing` message at most this often while the user types (the indicator holds for TYPING_TTL_MS). */
const TYPING_EVERY_MS = 2_000;

/** An idempotency key for one message: random, and available without a secure context. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function lineOf(message: ChatMessage): ChatLine {
  return {
    key: message.client_id ? `c:${message.author}:${message.client_id}` : `m${message.id}`,
    id: message.id,
    author: message.author,
    contact: message.contact,
    via: message.via,
    body: message.body,
    clientId: message.client_id,
    createdAt: message.created_at,
    status: 'sent',
    error: null,
  };
}

/**
 * People's display names by user id, looked up once each. Company people may not read the
 * user directory: for them everyone else is `fallback` (e.g. "Support").
 */
export class UserNames {
  readonly #names = new SvelteMap<number, string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #asked = new Set<number>();
  readonly #api: Api;
  readonly #me: Me | null;
  readonly #canLookUp: boolean;
  readonly #fallback: string;

  constructor(api: Api, me: Me | null, options: { canLookUp: boolean; fallback: string }) {
    this.#api = api;
    this.#me = me;
    this.#canLookUp = options.canLookUp;
    this.#fallback = options.fallback;
  }

  /** The name to show for `id` (`fallback` until known); unknown ones are looked up in the background. */
  name(id: number | null, fallback = this.#fallback): string {
    if (id === null) return 'Deleted user';
    if (id === this.#me?.id) return this.#me.name || this.#me.username;
    const known = this.#names.get(id);
    if (known !== undefined) return known;
    if (this.#canLookUp && !this.#asked.has(id)) {
      this.#asked.add(id);
      // Resolved after this render: the map changes outside of it.
      this.#api.user(id).then(
        (user) => this.#names.set(id, user.name || user.username),
        () => undefined,
      );
    }
    return fallback;
  }

  /** A name learnt elsewhere (a typing event carries the username). */
  learn(id: number, name: string): void {
    if (!this.#names.has(id)) this.#names.set(id, name);
  }
}

export interface ChatDeps {
  api: Api;
  /** The app's socket, when there is one (absent while server rendering or before it opens). */
  connection: () => RealtimeConnection | null;
  me: Me | null;
}

/**
 * One chat room on screen: its history (a contiguous run of the newest messages, paged
 * backwards), live messages from the room's topic, who is typing, and our own messages from
 * pending to sent, or to failed and retried with the same client_id.
 */
export class ChatRoomState {
  readonly room: ChatRoom;
  readonly topic: string;
  /** Stored messages, by id ascending. */
  #sent = $state<ChatLine[]>([]);
  /** Our messages not stored yet, in the order they were written. */
  #outbox = $state<ChatLine[]>([]);
  #loaded = $state(false);
  #hasOlder = $state(false);
  #loadingOlder = $state(false);
  #typing = new SvelteMap<number, string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers, never rendered
  #typingTimers = new Map<number, ReturnType<typeof setTimeout>>();
  #lastTypingSent = 0;
  readonly #deps: ChatDeps;

  constructor(room: ChatRoom, deps: ChatDeps) {
    this.room = room;
    this.topic = `room:${room.id}`;
    this.#deps = deps;
  }

  /** Every line, oldest first: the stored ones, then ours on their way. */
  get lines(): ChatLine[] {
    return [...this.#sent, ...this.#outbox];
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get hasOlder(): boolean {
    return this.#hasOlder;
  }
  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }
  /** The user ids typing now (never ourselves). */
  get typing(): number[] {
    return [...this.#typing.keys()];
  }
  /** The username a typing event gave for `id`. */
  typingName(id: number): string {
    return this.#typing.get(id) ?? '';
  }

  /** Reads the newest page; resolves to the room topic's seq it was read at (subscribe from it). */
  async load(): Promise<number> {
    const page = await this.#deps.api.chatHistory(this.room.id, { limit: HISTORY_PAGE });
    const fresh = page.results.map(lineOf);
    // Anything newer that arrived live meanwhile stays.
    const newest = fresh.at(-1)?.id ?? 0;
    this.#sent = [...fresh, ...this.#sent.filter((l) => (l.id ?? 0) > newest)];
    this.#hasOlder = page.next !== null;
    this.#dropAcked();
    this.#loaded = true;
    return page.seq;
  }

  /** Prepends the page before the oldest message shown; false when there was none. */
  async loadOlder(): Promise<boolean> {
    const oldest = this.#sent[0]?.id;
    if (!this.#hasOlder || this.#loadingOlder || oldest === undefined || oldest === null) return false;
    this.#loadingOlder = true;
    try {
      const page = await this.#deps.api.chatHistory(this.room.id, { before: oldest, limit: HISTORY_PAGE });
      const known = this.#sent.map((l) => l.id);
      this.#sent = [...page.results.filter((m) => !known.includes(m.id)).map(lineOf), ...this.#sent];
      this.#hasOlder = page.next !== null;
      return page.results.length > 0;
    } finally {
      this.#loadingOlder = false;
    }
  }

  /** A stored event of the room's topic. */
  applyEvent(event: EventMessage): void {
    switch (event.type) {
      case 'chat.message':
        return this.#receive(event.data);
      // Other topics' events: a room's topic carries only its messages.
      case 'project.created':
      case 'project.updated':
      case 'member.added':
      case 'member.updated':
      case 'member.removed':
      case 'column.created':
      case 'column.updated':
      case 'column.moved':
      case 'column.deleted':
      case 'tag.created':
      case 'tag.updated':
      case 'tag.deleted':
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.moved':
      case 'ticket.archived':
      case 'ticket.unarchived':
      case 'ticket.deleted':
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted':
      case 'attachment.created':
      case 'attachment.deleted':
      case 'field.created':
      case 'field.updated':
      case 'field.moved':
      case 'field.deleted':
      case 'checklist.item_created':
      case 'checklist.item_updated':
      case 'checklist.item_deleted':
      case 'relation.created':
      case 'relation.deleted':
      case 'time.entry_created':
      case 'time.entry_updated':
      case 'time.entry_deleted':
      case 'ticket.sla_breached':
      case 'notification.created':
      case 'notification.read':
        return;
      default:
        return unknownEvent(event);
    }
  }

  /** An ephemeral event: `chat.typing` from someone else holds for its `ttl_ms`. */
  applyEphemeral(event: EphemeralMessage): void {
    switch (event.type) {
      case EPHEMERAL.typing:
        return this.#someoneTyping(event.data);
      case EPHEMERAL.presence:
        return;
      default:
        return unknownEvent(event);
    }
  }

  #someoneTyping(data: TypingData): void {
    if (data.room !== this.room.id || data.user.id === this.#deps.me?.id) return;
    this.#typing.set(data.user.id, data.user.username);
    clearTimeout(this.#typingTimers.get(data.user.id));
    this.#typingTimers.set(
      data.user.id,
      setTimeout(() => this.#stopTyping(data.user.id), data.ttl_ms || TYPING_TTL_MS),
    );
  }

  /** The user is typing: tell the room, at most every couple of seconds. */
  typingNow(): void {
    const now = Date.now();
    if (now - this.#lastTypingSent < TYPING_EVERY_MS) return;
    const connection = this.#deps.connection();
    if (connection?.status !== 'open') return;
    this.#lastTypingSent = now;
    connection.send({ type: 'typing', room: this.room.id });
  }

  /** Shows the message at once as pending and sends it. */
  send(body: string): void {
    const text = body.trim();
    if (!text) return;
    const clientId = newClientId();
    this.#outbox.push({
      key: clientId,
      id: null,
      author: this.#deps.me?.id ?? null,
      contact: null,
      via: 'app',
      body: text,
      clientId,
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, never mutated
      createdAt: new Date().toISOString(),
      status: 'pending',
      error: null,
    });
    this.#lastTypingSent = 0;
    void this.#deliver(clientId);
  }

  /** Sends a failed message again, under the same client_id (the server never stores it twice). */
  retry(key: string): void {
    const line = this.#outbox.find((l) => l.key === key);
    if (!line || line.status !== 'failed') return;
    line.status = 'pending';
    line.error = null;
    void this.#deliver(key);
  }

  /** Stops every timer (the room is closed). */
  dispose(): void {
    for (const timer of this.#typingTimers.values()) clearTimeout(timer);
    this.#typingTimers.clear();
  }

  async #deliver(key: string): Promise<void> {
    const line = this.#outbox.find((l) => l.key === key);
    if (!line) return;
    const { body } = line;
    const clientId = line.clientId!;
    if (typeof navigator !== 'undefined' && !navigator.onLine) {
      this.#fail(key, 'You are offline');
      return;
    }
    const connection = this.#deps.connection();
    let stored: ChatMessage;
    try {
      if (connection?.status === 'open') {
        const acked = connection.sendChat(this.room.id, body, clientId);
        // An ack after the timeout still marks it sent (placing a message twice is a no-op).
        acked.then(
          (message) => this.#receive(message),
          () => undefined,
        );
        stored = await withTimeout(acked);
      } else {
        // The socket is down: REST stores it just the same (and as idempotently).
        stored = await this.#deps.api.postChatMessage(this.room.id, body, clientId);
      }
    } catch (error) {
      if (error instanceof ChatSendError && error.code === 'offline' && navigator.onLine) {
        // The socket dropped before the ack: REST, under the same client_id.
        try {
          stored = await this.#deps.api.postChatMessage(this.room.id, body, clientId);
        } catch (again) {
          this.#fail(key, reason(again));
          return;
        }
      } else {
        this.#fail(key, reason(error));
        return;
      }
    }
    this.#receive(stored);
  }

  #fail(key: string, why: string): void {
    const line = this.#outbox.find((l) => l.key === key);
    if (!line || line.status !== 'pending') return;
    line.status = 'failed';
    line.error = why;
  }

  /** A stored message (live, acked or posted): placed once, by id; ours leaves the outbox. */
  #receive(message: ChatMessage): void {
    if (message.room !== this.room.id) return;
    if (message.author !== null) this.#stopTyping(message.author);
    const ours =
      message.author === this.#deps.me?.id && message.client_id
        ? this.#outbox.findIndex((l) => l.clientId === message.client_id)
        : -1;
    const line = lineOf(message);
    if (ours >= 0) {
      line.key = this.#outbox[ours]!.key;
      this.#outbox.splice(ours, 1);
    }
    if (this.#sent.some((l) => l.id === message.id)) return;
    // Older than the oldest shown while older ones exist: paging back brings it in order.
    const oldest = this.#sent[0]?.id ?? null;
    if (this.#hasOlder && oldest !== null && message.id < oldest) return;
    let at = this.#sent.length;
    while (at > 0 && (this.#sent[at - 1]!.id ?? 0) > message.id) at -= 1;
    this.#sent.splice(at, 0, line);
  }

  /** Ours that the history already holds (read after a resend was stored). */
  #dropAcked(): void {
    const mine = this.#deps.me?.id;
    const stored = this.#sent.filter((l) => l.author === mine && l.clientId).map((l) => l.clientId);
    if (this.#outbox.some((l) => stored.includes(l.clientId))) {
      this.#outbox = this.#outbox.filter((l) => !stored.includes(l.clientId));
    }
  }

  #stopTyping(userId: number): void {
    clearTimeout(this.#typingTimers.get(userId));
    this.#typingTimers.delete(userId);
    this.#typing.delete(userId);
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChatSendError('timeout', 'No answer from the server')), ACK_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function reason(error: unknown): string {
  if (error instanceof ApiError || error instanceof ChatSendError) return error.message;
  return 'Not sent';
}
