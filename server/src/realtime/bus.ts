/**
 * The event bus: carries committed events from the instance that wrote them to every
 * instance's hub. In-process by default (one instance); Redis pub/sub when REDIS_URL is set
 * (the realtime issue's next step). A bus message is always a committed outbox row, so a lost
 * one is a gap the receiver fills from `events`, never a phantom.
 */
import type { BusMessage } from './protocol.ts';

/**
 * A subscriber of one topic. An object with methods rather than callbacks: every subscribed
 * socket has one, and a class instance costs no closures (decision 0055).
 */
export interface BusListener {
  /** Every event published on the topic. */
  onEvent(event: BusMessage): void;
  /** Events may have been missed (the bus reconnected): the subscriber catches up from the outbox. */
  onDoubt?(): void;
}

export interface Bus {
  publish(event: BusMessage): void;
  /** Calls `listener` for every event published on `topic`, until `unsubscribe`. */
  subscribe(topic: string, listener: BusListener): void;
  /** Stops calling `listener` for `topic`. */
  unsubscribe(topic: string, listener: BusListener): void;
  /**
   * Resolves once messages of `topic` from other instances reach this one (Redis confirmed the
   * subscription), so a replay read afterwards leaves no seam; at most a short wait when the
   * broker is unreachable (events are then recovered from the outbox on its return).
   */
  whenSubscribed?(topic: string): Promise<void>;
  /**
   * Whether messages from other instances can reach this one now (Redis connected). Absent: one
   * process, always. What must hear of every revocation (the credential cache) is bypassed
   * while false.
   */
  connected?(): boolean;
  /**
   * Resolves once every control message published so far has reached the broker (and so every
   * connected instance): a request that revoked a session answers only after that.
   */
  settled?(): Promise<void>;
  close?(): Promise<void>;
}

/** One process: handlers are called synchronously, in publish order. */
export function createMemoryBus(): Bus {
  const topics = new Map<string, Set<BusListener>>();
  return {
    publish(event) {
      for (const listener of topics.get(event.topic) ?? []) listener.onEvent(event);
    },
    subscribe(topic, listener) {
      let listeners = topics.get(topic);
      if (!listeners) topics.set(topic, (listeners = new Set()));
      listeners.add(listener);
    },
    unsubscribe(topic, listener) {
      const listeners = topics.get(topic);
      if (listeners?.delete(listener) && !listeners.size) topics.delete(topic);
    },
  };
}
