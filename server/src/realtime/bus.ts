/**
 * The event bus: carries committed events from the instance that wrote them to every
 * instance's hub. In-process by default (one instance); Redis pub/sub when REDIS_URL is set
 * (the realtime issue's next step). A bus message is always a committed outbox row, so a lost
 * one is a gap the receiver fills from `events`, never a phantom.
 */
import type { BusMessage } from './protocol.ts';

export interface Bus {
  publish(event: BusMessage): void;
  /**
   * Calls `handler` for every event published on `topic`, and `onDoubt` whenever events may
   * have been missed (the bus reconnected): the subscriber then catches up from the outbox.
   * Returns the unsubscribe function.
   */
  subscribe(topic: string, handler: (event: BusMessage) => void, onDoubt?: () => void): () => void;
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
  const topics = new Map<string, Set<(event: BusMessage) => void>>();
  return {
    publish(event) {
      for (const handler of topics.get(event.topic) ?? []) handler(event);
    },
    subscribe(topic, handler) {
      let handlers = topics.get(topic);
      if (!handlers) topics.set(topic, (handlers = new Set()));
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        if (!handlers.size) topics.delete(topic);
      };
    },
  };
}
