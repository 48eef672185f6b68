/**
 * Live delivery for one socket's subscription to one topic, joined seamlessly to its replay.
 * The bus listener is registered before the replay is read, live events arriving meanwhile
 * are held, and every event is accepted only as the next seq: an older one is a duplicate
 * (dropped), a newer one means a gap, filled from the outbox before delivery goes on. The seq
 * advances past events the subscriber may not see, so company filtering never looks like a gap.
 */
import type { Executor } from '@laneway/db/client';
import type { Bus } from './bus.ts';
import { frameFor, replay, type StoredEvent, type TopicGrant } from './hub.ts';
import { SERVER, type BusMessage, type ServerMessage } from './protocol.ts';

export interface LiveSubscription {
  close(): void;
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
  send: (message: ServerMessage) => void,
  sendFrame: (frame: Buffer) => void,
  budget?: ReplayBudget,
): Promise<LiveSubscription> {
  let lastSeq = 0;
  let catchingUp = true;
  let held: BusMessage[] = [];

  const deliver = (event: BusMessage) => {
    lastSeq = event.seq;
    // Company subscribers may get a removal in its place, or nothing (hub.ts frameFor).
    const frame = frameFor(grant, event);
    if (frame) sendFrame(frame);
  };
  /** Replayed events come filtered, with their frames. */
  const deliverStored = (event: StoredEvent) => {
    lastSeq = event.seq;
    sendFrame(event.frame);
  };

  /** Reads and delivers everything after lastSeq, then whatever arrived meanwhile. */
  const catchUp = async () => {
    catchingUp = true;
    // On failure (the database blinked) held events stay held; the next event retries.
    try {
      await catchUpLoop();
    } finally {
      catchingUp = false;
    }
  };
  const catchUpLoop = async () => {
    for (;;) {
      const missed = await replay(db, grant, lastSeq);
      if (missed.resync) {
        send({ type: SERVER.resync, topic: grant.topic, seq: missed.seq });
        lastSeq = missed.seq;
      }
      for (const event of missed.events) if (event.seq > lastSeq) deliverStored(event);
      lastSeq = Math.max(lastSeq, missed.seq);
      const queued = held.filter((e) => e.seq > lastSeq).sort((a, b) => a.seq - b.seq);
      held = [];
      let gap = false;
      for (const event of queued) {
        if (event.seq === lastSeq + 1) deliver(event);
        else if (event.seq > lastSeq + 1) {
          gap = true;
          break;
        }
      }
      if (!gap) break;
    }
  };

  const catchUpInBackground = () =>
    void catchUp().catch(() =>
      send({ type: SERVER.error, code: 'internal', message: 'catch-up failed', topic: grant.topic }),
    );
  const unsubscribe = bus.subscribe(
    grant.topic,
    (event) => {
      // Ephemeral (typing, presence): no place in the sequence, delivered as they come.
      if (event.seq === 0) {
        const frame = frameFor(grant, event);
        if (frame) sendFrame(frame);
        return;
      }
      if (catchingUp) {
        held.push(event);
        return;
      }
      if (event.seq <= lastSeq) return;
      if (event.seq === lastSeq + 1) return deliver(event);
      held.push(event);
      catchUpInBackground();
    },
    // The bus may have lost events (it reconnected): read what is missing from the outbox.
    () => {
      if (!catchingUp) catchUpInBackground();
    },
  );

  try {
    // Other instances' events must be flowing in before the replay is read: no seam between them.
    await bus.whenSubscribed?.(grant.topic);
    // First join: replay from `since`, or start at the present without replay.
    // A replay further back than the socket's budget answers `resync`: the client refetches.
    const limit = since !== undefined && budget ? await budget.available() : undefined;
    const first = await replay(db, grant, since ?? Number.MAX_SAFE_INTEGER, limit);
    if (since !== undefined && first.resync) send({ type: SERVER.resync, topic: grant.topic, seq: first.seq });
    else for (const event of first.events) deliverStored(event);
    if (since !== undefined && !first.resync && first.seq > since) await budget?.spend(first.seq - since);
    lastSeq = first.seq;
    // Events published while the replay was read are held; with none past it, the replay
    // reached the present (anything committed later reaches the listener), so no second read.
    if (held.some((e) => e.seq > lastSeq)) await catchUp();
    else {
      held = [];
      catchingUp = false;
    }
  } catch (error) {
    unsubscribe();
    throw error;
  }
  send({ type: SERVER.subscribed, topic: grant.topic, seq: lastSeq });
  return { close: unsubscribe };
}
