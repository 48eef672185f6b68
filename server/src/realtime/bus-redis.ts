/**
 * The bus across instances: Redis pub/sub. Each process holds one subscriber connection (a
 * dedicated one: a subscribed connection can do nothing else) and one Redis subscription per
 * topic, however many sockets watch it. Events are also handed to this process's own listeners
 * at once, so local viewers never wait on Redis, and keep arriving while Redis is down; the
 * copy that comes back through Redis is recognised by its origin prefix and dropped. After a reconnect every topic is told
 * to doubt, and its subscribers catch up from the outbox.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusListener } from './bus.ts';
import type { BusMessage } from './protocol.ts';
import { CONTROL_TOPIC } from '../services/publish.ts';

/** How long a new subscription waits for Redis to confirm before replaying anyway. */
const SUBSCRIBE_PATIENCE_MS = 1_000;

/**
 * @param namespace keeps deployments apart on a shared Redis (the database name: instances of
 *   one deployment share their database, other deployments do not).
 */
export function createRedisBus(publisher: Redis, namespace: string, logger: Logger, onReconnect?: () => void): Bus {
  const prefix = `laneway:${namespace}:`;
  const subscriber = publisher.duplicate({ autoResubscribe: true, enableOfflineQueue: true });
  const topics = new Map<string, Set<BusListener>>();
  /** Each topic's SUBSCRIBE, settled when Redis confirmed it. */
  const confirmed = new Map<string, Promise<void>>();
  let connectedOnce = false;
  /** Marks this process's messages (a fixed-length prefix before the JSON). */
  const origin = randomBytes(6).toString('base64url');

  subscriber.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis subscriber error'));
  subscriber.on('ready', () => {
    if (connectedOnce) {
      logger.warn('redis subscriber reconnected: subscribers catch up from the outbox');
      onReconnect?.();
      for (const listeners of topics.values()) for (const l of listeners) l.onDoubt?.();
    }
    connectedOnce = true;
  });
  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    // Our own messages reached our listeners when they were published.
    if (message.startsWith(origin)) return;
    const listeners = topics.get(channel.slice(prefix.length));
    if (!listeners?.size) return;
    let event: BusMessage;
    try {
      event = JSON.parse(message.slice(origin.length)) as BusMessage;
    } catch {
      return;
    }
    for (const l of listeners) l.onEvent(event);
  });

  /** Control messages sent to Redis and not yet acknowledged. */
  const inFlight = new Set<Promise<unknown>>();

  const local = (event: BusMessage) => {
    for (const l of topics.get(event.topic) ?? []) l.onEvent(event);
  };

  return {
    publish(event) {
      local(event);
      // The event is committed in the outbox: if Redis misses it, other instances see a gap on
      // the next event (or doubt on reconnect) and read it from there.
      const sent = publisher.publish(prefix + event.topic, origin + JSON.stringify(event)).catch((err: Error) => {
        logger.warn({ err: err.message, topic: event.topic, seq: event.seq }, 'redis publish failed');
      });
      if (event.topic === CONTROL_TOPIC) {
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
      }
    },
    subscribe(topic, listener) {
      let listeners = topics.get(topic);
      if (!listeners) {
        topics.set(topic, (listeners = new Set()));
        confirmed.set(
          topic,
          subscriber.subscribe(prefix + topic).then(
            () => {},
            (err: Error) => logger.warn({ err: err.message, topic }, 'redis subscribe failed'),
          ),
        );
      }
      listeners.add(listener);
    },
    unsubscribe(topic, listener) {
      const listeners = topics.get(topic);
      if (!listeners?.delete(listener) || listeners.size) return;
      topics.delete(topic);
      confirmed.delete(topic);
      subscriber.unsubscribe(prefix + topic).catch(() => {});
    },
    async whenSubscribed(topic) {
      const pending = confirmed.get(topic);
      if (!pending) return;
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_PATIENCE_MS)));
      await Promise.race([pending, patience]);
      clearTimeout(timer);
    },
    connected() {
      return subscriber.status === 'ready';
    },
    async settled() {
      if (inFlight.size) await Promise.all(inFlight);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
