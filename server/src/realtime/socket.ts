/**
 * One WebSocket connection: authentication (at the upgrade, or by a first `auth` message
 * within AUTH_GRACE_MS), message validation with the shared protocol, subscriptions with
 * replay, heartbeat, and the send-buffer bound.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { lifetimes } from '../auth/middleware.ts';
import { validateCredential } from '../auth/credentials.ts';
import { mustEnrol } from '../services/two-factor.ts';
import type { AppDeps } from '../deps.ts';
import type { Actor } from '../lib/actor.ts';
import { AppError } from '../lib/errors.ts';
import { roomTopic } from '../services/changes.ts';
import { sendMessage } from '../services/chat.ts';
import { withPublisher } from '../services/publish.ts';
import { authorizeTopic, type TopicGrant } from './hub.ts';
import { startSubscription, type LiveSubscription, type ReplayBudget } from './live.ts';
import {
  AUTH_GRACE_MS,
  ClientMessage,
  CLOSE,
  EPHEMERAL,
  PRESENCE_TTL_MS,
  SERVER,
  TYPING_TTL_MS,
  type ServerMessage,
} from './protocol.ts';

/** Past this many bytes queued for a socket, it is closed with CLOSE.resume. */
export const SEND_BUFFER_LIMIT = 4 * 1024 * 1024;

/** How often every socket is pinged; one that has not answered the last ping by then is closed. */
export const HEARTBEAT_MS = 30_000;

/** `subscribe` messages one socket may send per 10 s. */
export const SUBSCRIBE_BUDGET = 30;

/**
 * Budgets per socket (rate-limiter-flexible's in-memory limiter, keyed by connection): a
 * typing indicator every second or so, a presence change a second, a chat line or two a second.
 */
const limiters = {
  typing: new RateLimiterMemory({ keyPrefix: 'ws_typing', points: 3, duration: 3 }),
  presence: new RateLimiterMemory({ keyPrefix: 'ws_presence', points: 10, duration: 10 }),
  chat: new RateLimiterMemory({ keyPrefix: 'ws_chat', points: 20, duration: 10 }),
  // A tab follows a board, its user topic and a room or two, all again after a reconnect: 30 in
  // 10 s is far above that and far below the 5,000 in 5 s of issue 14 row 10.
  subscribe: new RateLimiterMemory({ keyPrefix: 'ws_subscribe', points: SUBSCRIBE_BUDGET, duration: 10 }),
};

/**
 * Events one socket may have replayed on request (`subscribe` with `since`) per minute: a
 * resume after a blip of a few busy topics fits; asking for the last thousand events again and
 * again (issue 14 row 10: 11 MB sent for 100 subscribes) gets `resync` once it is spent.
 */
export const REPLAY_BUDGET = 2_000;
const replayed = new RateLimiterMemory({ keyPrefix: 'ws_replay', points: REPLAY_BUDGET, duration: 60 });
let connectionCount = 0;

interface Subscription {
  grant: TopicGrant;
  live: LiveSubscription;
}

export interface Connection {
  /** Topics this socket is subscribed to, with what each grant allows. */
  readonly subscriptions: Map<string, Subscription>;
  readonly actor: () => Actor | null;
  readonly sessionId: () => string | null;
  /** The session ended: close at once (the client must sign in again). */
  revoke(): void;
  /** Access may have changed: re-check every subscription, ending those no longer allowed. */
  reauthorize(): Promise<void>;
  /** Pings the socket, or ends it when the last ping went unanswered. */
  heartbeat(): void;
}

/**
 * Runs a connection. `actor` is set when the upgrade carried a valid session; `initialTopic`
 * is the topic of an old-style path (`/ws/projects/1/tickets/`), or `user:` for notifications.
 */
export function runConnection(
  ws: WebSocket,
  deps: AppDeps,
  initial: { actor: Actor | null; sessionId: string | null; initialTopic: ((actor: Actor) => string) | null },
): Connection {
  let actor = initial.actor;
  let sessionId = initial.sessionId;
  const subscriptions = new Map<string, Subscription>();
  // Messages are handled one at a time, in the order they arrive.
  let queue = Promise.resolve();

  // Shared event frames are written to the TCP socket as they are (frames.ts). Safe beside
  // ws.send: without permessage-deflate, ws writes each message synchronously, in call order.
  const raw = (ws as unknown as { _socket: Socket })._socket;
  /** Room for one more message, or the consumer is too slow and is closed (it resumes with `since`). */
  const writable = () => {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount <= SEND_BUFFER_LIMIT) return true;
    ws.close(CLOSE.resume, 'send buffer full: reconnect and resume');
    return false;
  };
  const sendFrame = (frame: Buffer) => {
    if (!writable()) return;
    raw.write(frame);
    deps.metrics.messagesSent.inc();
  };
  const send = (message: ServerMessage) => {
    if (!writable()) return;
    ws.send(JSON.stringify(message));
    deps.metrics.messagesSent.inc();
  };
  const fail = (code: string, message: string, topic?: string) =>
    send({ type: SERVER.error, code, message, ...(topic ? { topic } : {}) });

  const subscribe = async (topic: string, since: number | undefined) => {
    const grant = await authorizeTopic(deps.db, actor!, topic);
    if (!grant) return fail('not_found', 'No such topic, or not yours', topic);
    subscriptions.get(topic)?.live.close();
    subscriptions.delete(topic);
    const live = await startSubscription(deps.db, deps.bus, grant, since, send, sendFrame, replayBudget);
    if (ws.readyState !== ws.OPEN) return live.close();
    subscriptions.set(topic, { grant, live });
  };

  const becomeReady = async () => {
    send({ type: SERVER.ready, user: { id: actor!.id, username: actor!.username } });
    if (initial.initialTopic) await subscribe(initial.initialTopic(actor!), undefined);
  };

  let authTimer: NodeJS.Timeout | undefined;
  if (actor) {
    queue = queue.then(becomeReady);
  } else {
    authTimer = setTimeout(() => ws.close(CLOSE.unauthorized, 'authentication required'), AUTH_GRACE_MS);
  }

  const handle = async (raw: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return fail('bad_message', 'Messages are JSON objects');
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) return fail('validation_error', result.error.issues[0]?.message ?? 'Invalid message');
    const message = result.data;
    if (!actor) {
      if (message.type !== 'auth') return fail('unauthorized', 'Send {"type": "auth", "token": …} first');
      const found = await validateCredential(deps.db, message.token, lifetimes(deps.config), deps.credentialCache);
      if (!found || (await mustEnrol(deps.db, deps.config, found.actor, found.sessionId))) {
        ws.close(CLOSE.unauthorized, 'invalid token');
        return;
      }
      clearTimeout(authTimer);
      actor = found.actor;
      sessionId = found.sessionId;
      return becomeReady();
    }
    switch (message.type) {
      case 'auth':
        return fail('bad_message', 'Already authenticated');
      case 'subscribe':
        if (!(await allowed('subscribe', message.topic))) return;
        return subscribe(message.topic, message.since);
      case 'unsubscribe':
        leave(message.topic);
        subscriptions.get(message.topic)?.live.close();
        subscriptions.delete(message.topic);
        return send({ type: SERVER.unsubscribed, topic: message.topic });
      case 'ping':
        return send({ type: SERVER.pong });
      case 'chat.send':
        return chatSend(message);
      case 'typing': {
        const topic = roomTopic(message.room);
        if (!subscriptions.has(topic)) return fail('not_subscribed', 'Subscribe to the room first', topic);
        if (!(await allowed('typing'))) return;
        return relay(EPHEMERAL.typing, topic, { room: message.room, ttl_ms: TYPING_TTL_MS });
      }
      case 'presence': {
        if (!subscriptions.has(message.topic)) return fail('not_subscribed', 'Subscribe first', message.topic);
        if (!(await allowed('presence'))) return;
        const viewing = message.viewing ?? true;
        if (viewing) announced.add(message.topic);
        else announced.delete(message.topic);
        return relay(EPHEMERAL.presence, message.topic, {
          viewing,
          dragging: viewing ? (message.dragging ?? null) : null,
          ttl_ms: PRESENCE_TTL_MS,
        });
      }
    }
  };

  /** Stores a message through the chat service (REST's rules) and acks it to this socket. */
  const chatSend = async (message: { room: number; body: string; client_id: string }) => {
    const { client_id } = message;
    if (!(await allowed('chat'))) return;
    try {
      const sent = await withPublisher(deps.bus, () =>
        sendMessage(deps.db, actor!, message.room, { body: message.body, client_id }),
      );
      send({ type: SERVER.chatAck, room: message.room, client_id, message: sent.message });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      send({ type: SERVER.error, code: error.code, message: error.message, client_id });
    }
  };

  /** Per-socket budgets for what a client can repeat at will; past one, an error and nothing else. */
  const socketKey = String(++connectionCount);
  const allowed = async (kind: keyof typeof limiters, topic?: string) => {
    try {
      await limiters[kind].consume(socketKey);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      fail('rate_limited', `Too many ${kind} messages; slow down`, topic);
      return false;
    }
  };
  const replayBudget: ReplayBudget = {
    available: async () => REPLAY_BUDGET - ((await replayed.get(socketKey))?.consumedPoints ?? 0),
    // Charged whatever is left: `penalty` adds points without refusing.
    spend: async (events) => void (await replayed.penalty(socketKey, events)),
  };

  /** Topics this socket said it is viewing: left (`viewing: false`) when it unsubscribes or closes. */
  const announced = new Set<string>();
  const relay = (type: string, topic: string, data: Record<string, unknown>) => {
    deps.bus.publish({
      type,
      topic,
      seq: 0,
      at: new Date().toISOString(),
      data: { user: { id: actor!.id, username: actor!.username }, ...data },
    });
  };
  const leave = (topic: string) => {
    if (announced.delete(topic)) relay(EPHEMERAL.presence, topic, { viewing: false, dragging: null, ttl_ms: 0 });
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return fail('bad_message', 'Text frames only');
    const text = data.toString();
    queue = queue
      .then(() => handle(text))
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'websocket message failed');
        fail('internal', 'Something went wrong');
      });
  });

  // Protocol errors (an oversized or malformed frame): ws closes the socket itself (1009, 1002);
  // without a listener the error event would take the whole process down.
  ws.on('error', (error) => deps.logger.debug({ err: error.message }, 'websocket error'));

  // Heartbeat (one interval for every socket, server.ts): no answer before the next ping is dead.
  let alive = true;
  ws.on('pong', () => (alive = true));
  const heartbeat = () => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  };
  ws.on('close', () => {
    clearTimeout(authTimer);
    for (const topic of [...announced]) leave(topic);
    for (const { live } of subscriptions.values()) live.close();
    subscriptions.clear();
  });

  const reauthorize = async () => {
    if (!actor) return;
    for (const [topic, { live }] of [...subscriptions]) {
      if (await authorizeTopic(deps.db, actor, topic)) continue;
      leave(topic);
      live.close();
      subscriptions.delete(topic);
      fail('revoked', 'Access to this topic ended', topic);
    }
  };

  return {
    subscriptions,
    actor: () => actor,
    sessionId: () => sessionId,
    revoke: () => ws.close(CLOSE.revoked, 'session ended'),
    reauthorize: () => (queue = queue.then(reauthorize)),
    heartbeat,
  };
}
