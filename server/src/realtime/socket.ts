/**
 * One WebSocket connection: authentication (at the upgrade, or by a first `auth` message
 * within AUTH_GRACE_MS), message validation with the shared protocol, subscriptions with
 * replay, heartbeat, and the send-buffer bound.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { lifetimes } from '../auth/middleware.ts';
import { validateCredential } from '../auth/credentials.ts';
import { mustEnrol } from '../services/two-factor.ts';
import type { AppDeps } from '../deps.ts';
import type { Actor } from '../lib/actor.ts';
import { AppError } from '../lib/errors.ts';
import { roomTopic } from '../services/changes.ts';
import { sendMessage } from '../services/chat.ts';
import { withPublisher } from '../services/publish.ts';
import { authorizeTopic } from './hub.ts';
import { startSubscription, type LiveSubscription, type Recipient, type ReplayBudget } from './live.ts';
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

/** How an upgrade authenticated, and the topic its path subscribes to. */
export interface ConnectionStart {
  /** Set when the upgrade carried a valid session; else the first message must authenticate. */
  actor: Actor | null;
  sessionId: string | null;
  /** The topic of an old-style path (`/ws/projects/1/tickets/`), or `user:` for notifications. */
  initialTopic: ((actor: Actor) => string) | null;
}

/**
 * Each socket's connection. The socket's listeners are the shared functions below, which find
 * their connection here: 10,000 idle sockets hold 10,000 small objects and no closures
 * (decision 0055).
 */
const connections = new WeakMap<WebSocket, Connection>();

/** The connection running on `ws`, if any. */
export const connectionOf = (ws: WebSocket): Connection | undefined => connections.get(ws);

function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
  connections.get(this)?.receive(data, isBinary);
}
function onError(this: WebSocket, error: Error) {
  connections.get(this)?.failed(error);
}
function onPong(this: WebSocket) {
  connections.get(this)?.answered();
}
function onClose(this: WebSocket) {
  connections.get(this)?.closed();
}

/**
 * One WebSocket connection: authenticates (or waits AUTH_GRACE_MS for an `auth` message),
 * handles the client's messages one at a time in the order they arrive, and holds the socket's
 * subscriptions.
 */
export class Connection implements Recipient {
  /** Topics this socket is subscribed to. */
  readonly #subscriptions = new Map<string, LiveSubscription>();
  readonly #ws: WebSocket;
  readonly #deps: AppDeps;
  #actor: Actor | null;
  #sessionId: string | null;
  /** Dropped once used: it may hold the path's match. */
  #initialTopic: ((actor: Actor) => string) | null;
  /** Messages are handled one at a time, in the order they arrive. */
  #queue = Promise.resolve();
  #authTimer: NodeJS.Timeout | undefined;
  /** Answered the last ping (the heartbeat). */
  #alive = true;
  /** The key of this socket's budgets (the rate limiters). */
  readonly #key = String(++connectionCount);
  /** Topics this socket said it is viewing: left (`viewing: false`) when it unsubscribes or closes. */
  #announced: Set<string> | undefined;

  constructor(ws: WebSocket, deps: AppDeps, start: ConnectionStart) {
    this.#ws = ws;
    this.#deps = deps;
    this.#actor = start.actor;
    this.#sessionId = start.sessionId;
    this.#initialTopic = start.initialTopic;
    connections.set(ws, this);
    if (this.#actor) this.#queue = this.#queue.then(() => this.#becomeReady());
    else this.#authTimer = setTimeout(() => ws.close(CLOSE.unauthorized, 'authentication required'), AUTH_GRACE_MS);
    ws.on('message', onMessage);
    // Without a listener, a protocol error (ws closes the socket itself, 1009 or 1002) would
    // take the whole process down.
    ws.on('error', onError);
    ws.on('pong', onPong);
    ws.on('close', onClose);
  }

  get actor(): Actor | null {
    return this.#actor;
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** The session ended: close at once (the client must sign in again). */
  revoke(): void {
    this.#ws.close(CLOSE.revoked, 'session ended');
  }

  /** Access may have changed: re-check every subscription, ending those no longer allowed. */
  reauthorize(): Promise<void> {
    return (this.#queue = this.#queue.then(() => this.#reauthorize()));
  }

  /** Pings the socket, or ends it when the last ping went unanswered (server.ts calls it for every socket). */
  heartbeat(): void {
    if (!this.#alive) return this.#ws.terminate();
    this.#alive = false;
    this.#ws.ping();
  }

  /** A frame from the client: queued behind the ones before it. */
  receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.#fail('bad_message', 'Text frames only');
    const text = data.toString();
    this.#queue = this.#queue
      .then(() => this.#handle(text))
      .catch((error: unknown) => {
        this.#deps.logger.error({ err: error }, 'websocket message failed');
        this.#fail('internal', 'Something went wrong');
      });
  }

  /** A protocol error (an oversized or malformed frame): ws closes the socket itself. */
  failed(error: Error): void {
    this.#deps.logger.debug({ err: error.message }, 'websocket error');
  }

  /** A pong: the socket is alive. */
  answered(): void {
    this.#alive = true;
  }

  /** The socket closed: leave what it announced, end its subscriptions. */
  closed(): void {
    clearTimeout(this.#authTimer);
    for (const topic of [...(this.#announced ?? [])]) this.#leave(topic);
    for (const live of this.#subscriptions.values()) live.close();
    this.#subscriptions.clear();
  }

  /** Room for one more message, or the consumer is too slow and is closed (it resumes with `since`). */
  #writable(): boolean {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount <= SEND_BUFFER_LIMIT) return true;
    ws.close(CLOSE.resume, 'send buffer full: reconnect and resume');
    return false;
  }

  /**
   * Writes a shared event frame to the TCP socket as it is (frames.ts). Safe beside ws.send:
   * without permessage-deflate, ws writes each message synchronously, in call order.
   */
  sendFrame(frame: Buffer): void {
    if (!this.#writable()) return;
    (this.#ws as unknown as { _socket: Socket })._socket.write(frame);
    this.#deps.metrics.messagesSent.inc();
  }

  send(message: ServerMessage): void {
    if (!this.#writable()) return;
    this.#ws.send(JSON.stringify(message));
    this.#deps.metrics.messagesSent.inc();
  }

  #fail(code: string, message: string, topic?: string): void {
    this.send({ type: SERVER.error, code, message, ...(topic ? { topic } : {}) });
  }

  async #reauthorize(): Promise<void> {
    if (!this.#actor) return;
    for (const [topic, live] of [...this.#subscriptions]) {
      if (await authorizeTopic(this.#deps.db, this.#actor, topic)) continue;
      this.#leave(topic);
      live.close();
      this.#subscriptions.delete(topic);
      this.#fail('revoked', 'Access to this topic ended', topic);
    }
  }

  async #becomeReady(): Promise<void> {
    const actor = this.#actor!;
    this.send({ type: SERVER.ready, user: { id: actor.id, username: actor.username } });
    const initialTopic = this.#initialTopic;
    this.#initialTopic = null;
    if (initialTopic) await this.#subscribe(initialTopic(actor), undefined);
  }

  async #subscribe(topic: string, since: number | undefined): Promise<void> {
    const { db, bus } = this.#deps;
    const grant = await authorizeTopic(db, this.#actor!, topic);
    if (!grant) return this.#fail('not_found', 'No such topic, or not yours', topic);
    this.#subscriptions.get(topic)?.close();
    this.#subscriptions.delete(topic);
    const budget = since === undefined ? undefined : this.#replayBudget();
    const live = await startSubscription(db, bus, grant, since, this, budget);
    if (this.#ws.readyState !== this.#ws.OPEN) return live.close();
    this.#subscriptions.set(topic, live);
  }

  async #handle(raw: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return this.#fail('bad_message', 'Messages are JSON objects');
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) return this.#fail('validation_error', result.error.issues[0]?.message ?? 'Invalid message');
    const message = result.data;
    if (!this.#actor) {
      if (message.type !== 'auth') return this.#fail('unauthorized', 'Send {"type": "auth", "token": …} first');
      const { db, config, credentialCache } = this.#deps;
      const found = await validateCredential(db, message.token, lifetimes(config), credentialCache);
      if (!found || (await mustEnrol(db, config, found.actor, found.sessionId))) {
        this.#ws.close(CLOSE.unauthorized, 'invalid token');
        return;
      }
      clearTimeout(this.#authTimer);
      this.#actor = found.actor;
      this.#sessionId = found.sessionId;
      return this.#becomeReady();
    }
    switch (message.type) {
      case 'auth':
        return this.#fail('bad_message', 'Already authenticated');
      case 'subscribe':
        if (!(await this.#allowed('subscribe', message.topic))) return;
        return this.#subscribe(message.topic, message.since);
      case 'unsubscribe':
        this.#leave(message.topic);
        this.#subscriptions.get(message.topic)?.close();
        this.#subscriptions.delete(message.topic);
        return this.send({ type: SERVER.unsubscribed, topic: message.topic });
      case 'ping':
        return this.send({ type: SERVER.pong });
      case 'chat.send':
        return this.#chatSend(message);
      case 'typing': {
        const topic = roomTopic(message.room);
        if (!this.#subscriptions.has(topic)) return this.#fail('not_subscribed', 'Subscribe to the room first', topic);
        if (!(await this.#allowed('typing'))) return;
        return this.#relay(EPHEMERAL.typing, topic, { room: message.room, ttl_ms: TYPING_TTL_MS });
      }
      case 'presence': {
        if (!this.#subscriptions.has(message.topic))
          return this.#fail('not_subscribed', 'Subscribe first', message.topic);
        if (!(await this.#allowed('presence'))) return;
        const viewing = message.viewing ?? true;
        if (viewing) (this.#announced ??= new Set()).add(message.topic);
        else this.#announced?.delete(message.topic);
        return this.#relay(EPHEMERAL.presence, message.topic, {
          viewing,
          dragging: viewing ? (message.dragging ?? null) : null,
          ttl_ms: PRESENCE_TTL_MS,
        });
      }
    }
  }

  /** Stores a message through the chat service (REST's rules) and acks it to this socket. */
  async #chatSend(message: { room: number; body: string; client_id: string }): Promise<void> {
    const { client_id } = message;
    if (!(await this.#allowed('chat'))) return;
    try {
      const sent = await withPublisher(this.#deps.bus, () =>
        sendMessage(this.#deps.db, this.#actor!, message.room, { body: message.body, client_id }),
      );
      this.send({ type: SERVER.chatAck, room: message.room, client_id, message: sent.message });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.send({ type: SERVER.error, code: error.code, message: error.message, client_id });
    }
  }

  /** Per-socket budgets for what a client can repeat at will; past one, an error and nothing else. */
  async #allowed(kind: keyof typeof limiters, topic?: string): Promise<boolean> {
    try {
      await limiters[kind].consume(this.#key);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      this.#fail('rate_limited', `Too many ${kind} messages; slow down`, topic);
      return false;
    }
  }

  /** What this socket may still have replayed on request (made for the one subscribe that asks). */
  #replayBudget(): ReplayBudget {
    const key = this.#key;
    return {
      available: async () => REPLAY_BUDGET - ((await replayed.get(key))?.consumedPoints ?? 0),
      // Charged whatever is left: `penalty` adds points without refusing.
      spend: async (events) => void (await replayed.penalty(key, events)),
    };
  }

  #relay(type: string, topic: string, data: Record<string, unknown>): void {
    const actor = this.#actor!;
    this.#deps.bus.publish({
      type,
      topic,
      seq: 0,
      at: new Date().toISOString(),
      data: { user: { id: actor.id, username: actor.username }, ...data },
    });
  }

  #leave(topic: string): void {
    if (this.#announced?.delete(topic))
      this.#relay(EPHEMERAL.presence, topic, { viewing: false, dragging: null, ttl_ms: 0 });
  }
}
