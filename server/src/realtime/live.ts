/**
 * Live delivery for one socket's subscription to one topic, joined seamlessly to its replay.
 * The bus listener is registered before the replay is read, live events arriving meanwhile
 * are held, and every event is accepted only as the next seq: an older one is a duplicate
 * (dropped), a newer one means a gap, filled from the outbox before delivery goes on. The seq
 * advances past events the subscriber may not see, so company filtering never looks like a gap.
 */
import type { Executor } from '@laneway/db/client';
import type { Bus, BusListener } from './bus.ts';
import { frameFor, replay, type StoredEvent, type TopicGrant } from './hub.ts';
import { SERVER, type BusMessage, type ServerMessage } from './protocol.ts';

/** Where a subscription's messages go: the socket's connection. */
export interface Recipient {
  send(message: ServerMessage): void;
  /** A shared, pre-built event frame (frames.ts). */
  sendFrame(frame: Buffer): void;
}

/** What a socket may still replay on request (`since`); gap fills after that are not charged. */
export interface ReplayBudget {
  /** Events it may replay now. */
  available(): Promise<number>;
  /** Charges events read for it. */
  spend(events: number): Promise<void>;
}

/** Starts a subscription: the replay from `since` (within `budget`, else `resync`), then live events. */
export async function startSubscription(
  db: Executor,
  bus: Bus,
  grant: TopicGrant,
  since: number | undefined,
  to: Recipient,
  budget?: ReplayBudget,
): Promise<LiveSubscription> {
  const live = new LiveSubscription(db, bus, grant, to);
  try {
    // Other instances' events must be flowing in before the replay is read: no seam between them.
    await bus.whenSubscribed?.(grant.topic);
    await live.join(since, budget);
  } catch (error) {
    live.close();
    throw error;
  }
  return live;
}

/**
 * One socket's subscription to one topic. An object with its state in fields rather than
 * closures: every idle subscribed socket holds one (decision 0055).
 */
export class LiveSubscription implements BusListener {
  readonly #grant: TopicGrant;
  readonly #db: Executor;
  readonly #bus: Bus;
  readonly #to: Recipient;
  #lastSeq = 0;
  #catchingUp = true;
  /** Live events that arrived while catching up, or past a gap. */
  #held: BusMessage[] = [];
  constructor(db: Executor, bus: Bus, grant: TopicGrant, to: Recipient) {
    this.#db = db;
    this.#bus = bus;
    this.#grant = grant;
    this.#to = to;
    bus.subscribe(grant.topic, this);
  }

  close(): void {
    this.#bus.unsubscribe(this.#grant.topic, this);
  }

  /** The first join (the bus listener is in place): replay from `since`, or start at the present without replay; then `subscribed`. */
  async join(since: number | undefined, budget: ReplayBudget | undefined): Promise<void> {
    const grant = this.#grant;
    // A replay further back than the socket's budget answers `resync`: the client refetches.
    const limit = since !== undefined && budget ? await budget.available() : undefined;
    const first = await replay(this.#db, grant, since ?? Number.MAX_SAFE_INTEGER, limit);
    if (since !== undefined && first.resync) this.#to.send({ type: SERVER.resync, topic: grant.topic, seq: first.seq });
    else for (const event of first.events) this.#deliverStored(event);
    if (since !== undefined && !first.resync && first.seq > since) await budget?.spend(first.seq - since);
    this.#lastSeq = first.seq;
    // Events published while the replay was read are held; with none past it, the replay
    // reached the present (anything committed later reaches the listener), so no second read.
    if (this.#held.some((e) => e.seq > this.#lastSeq)) await this.#catchUp();
    else {
      this.#held = [];
      this.#catchingUp = false;
    }
    this.#to.send({ type: SERVER.subscribed, topic: grant.topic, seq: this.#lastSeq });
  }

  onEvent(event: BusMessage): void {
    // Ephemeral (typing, presence): no place in the sequence, delivered as they come.
    if (event.seq === 0) {
      const frame = frameFor(this.#grant, event);
      if (frame) this.#to.sendFrame(frame);
      return;
    }
    if (this.#catchingUp) {
      this.#held.push(event);
      return;
    }
    if (event.seq <= this.#lastSeq) return;
    if (event.seq === this.#lastSeq + 1) return this.#deliver(event);
    this.#held.push(event);
    this.#catchUpInBackground();
  }

  /** The bus may have lost events (it reconnected): read what is missing from the outbox. */
  onDoubt(): void {
    if (!this.#catchingUp) this.#catchUpInBackground();
  }

  #deliver(event: BusMessage): void {
    this.#lastSeq = event.seq;
    // Company subscribers may get a removal in its place, or nothing (hub.ts frameFor).
    const frame = frameFor(this.#grant, event);
    if (frame) this.#to.sendFrame(frame);
  }

  /** Replayed events come filtered, with their frames. */
  #deliverStored(event: StoredEvent): void {
    this.#lastSeq = event.seq;
    this.#to.sendFrame(event.frame);
  }

  #catchUpInBackground(): void {
    void this.#catchUp().catch(() =>
      this.#to.send({ type: SERVER.error, code: 'internal', message: 'catch-up failed', topic: this.#grant.topic }),
    );
  }

  /** Reads and delivers everything after lastSeq, then whatever arrived meanwhile. */
  async #catchUp(): Promise<void> {
    this.#catchingUp = true;
    // On failure (the database blinked) held events stay held; the next event retries.
    try {
      await this.#catchUpLoop();
    } finally {
      this.#catchingUp = false;
    }
  }

  async #catchUpLoop(): Promise<void> {
    for (;;) {
      const missed = await replay(this.#db, this.#grant, this.#lastSeq);
      if (missed.resync) {
        this.#to.send({ type: SERVER.resync, topic: this.#grant.topic, seq: missed.seq });
        this.#lastSeq = missed.seq;
      }
      for (const event of missed.events) if (event.seq > this.#lastSeq) this.#deliverStored(event);
      this.#lastSeq = Math.max(this.#lastSeq, missed.seq);
      const queued = this.#held.filter((e) => e.seq > this.#lastSeq).sort((a, b) => a.seq - b.seq);
      this.#held = [];
      let gap = false;
      for (const event of queued) {
        if (event.seq === this.#lastSeq + 1) this.#deliver(event);
        else if (event.seq > this.#lastSeq + 1) {
          gap = true;
          break;
        }
      }
      if (!gap) break;
    }
  }
}
