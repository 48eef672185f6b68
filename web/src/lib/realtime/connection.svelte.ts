import {
  CLOSE,
  SERVER,
  isEphemeral,
  type ClientMessage,
  type EphemeralMessage,
  type EventMessage,
  type ServerMessage,
  type TopicMessage,
} from './protocol.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What a subscriber of one topic is told. */
export interface TopicHandlers {
  /** A stored event of the topic, in seq order, each exactly once. */
  event(message: EventMessage): void;
  /** The events since the last seen seq are gone (older than the retention): refetch. */
  resync(): void;
  /** The server refused the subscription (no access, unknown topic). */
  refused?(code: string, message: string): void;
  /** An ephemeral event (`presence`, `chat.typing`: seq 0, never replayed), as it arrives. */
  ephemeral?(message: EphemeralMessage): void;
}

/** A `chat.send` waiting for its `chat.ack`. */
/** The stored message a `chat.ack` carries. */
type AckedMessage = Extract<ServerMessage, { type: typeof SERVER.chatAck }>['message'];

interface PendingChat {
  resolve(message: AckedMessage): void;
  reject(error: Error): void;
}

/** Why a `chat.send` was not acknowledged: `code` is the server's, or `offline`. */
export class ChatSendError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ChatSendError';
    this.code = code;
  }
}

/** One component following a topic, from the seq its data was read at. */
interface Listener {
  /** Null: from whenever the subscription starts (set from the server's `subscribed`). */
  since: number | null;
  handlers: TopicHandlers;
}

/** A topic subscribed on the socket, shared by every listener of it. */
interface Subscription {
  /** The last seq received on the topic: sent as `since` on every (re)subscribe (null: none yet). */
  since: number | null;
  listeners: Set<Listener>;
}

/** A `subscribe` from `since`, or from now (no replay) when there is none. */
function subscribeMessage(topic: string, since: number | null): ClientMessage {
  return since === null ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since };
}

/** Reconnect delays: 0.5 s doubling to 15 s, each with jitter so a restarted server is not stampeded. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** An application ping this often; no pong within the timeout means the socket is dead. */
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;

export interface ConnectionOptions {
  /** The socket URL; default `/ws/` on the page's own origin (the session cookie authenticates). */
  url?: string;
  /** The session ended (logout elsewhere, deactivation): reconnecting cannot help. */
  onAuthLost?: () => void;
}

/**
 * One multiplexed WebSocket to `/ws/` for the whole app (SPEC §6). Topics are subscribed with
 * the last seq seen, so a reconnect (after a dropped socket, a restarted server, a slow-consumer
 * close) resumes exactly where it left off; the server replays what was missed or says
 * `resync`. Reconnects back off exponentially. Browser-only: create it in an effect.
 */
export class RealtimeConnection {
  #status = $state<ConnectionStatus>('connecting');
  /** Failed attempts since the last open socket. */
  #attempt = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #subscriptions = new Map<string, Subscription>();
  /** `chat.send`s in flight, by client_id. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #pendingChats = new Map<string, PendingChat>();
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #options: ConnectionOptions;

  constructor(options: ConnectionOptions = {}) {
    this.#options = options;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** True while the user should be told that live updates are paused. */
  get interrupted(): boolean {
    return this.#status === 'reconnecting' || this.#status === 'closed' || this.#attempt > 0;
  }

  /** Opens the socket (and keeps it open until `stop`). */
  start(): void {
    this.#stopped = false;
    if (!this.#socket) this.#connect();
    window.addEventListener('online', this.#reconnectNow);
  }

  /** Closes the socket for good and forgets every subscription. */
  stop(): void {
    this.#stopped = true;
    window.removeEventListener('online', this.#reconnectNow);
    clearTimeout(this.#retryTimer);
    this.#clearHeartbeat();
    this.#socket?.close(1000);
    this.#socket = null;
    this.#subscriptions.clear();
    this.#failPendingChats('offline', 'The connection closed');
    this.#status = 'closed';
  }

  /**
   * Follows a topic from `since` (the seq the caller's data was read at). Several components
   * may follow one topic (the board and an open ticket): the socket subscribes once, from the
   * earliest seq any of them needs, and each listener gets the events after its own `since`.
   * `since` null follows from now (for data read without a seq, refreshed on every event):
   * no replay, and the server's `subscribed` says where "now" is.
   * Returns the function that stops listening (and unsubscribes after the last listener).
   */
  subscribe(topic: string, since: number | null, handlers: TopicHandlers): () => void {
    const listener: Listener = { since, handlers };
    let subscription = this.#subscriptions.get(topic);
    if (!subscription) {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
      subscription = { since, listeners: new Set() };
      this.#subscriptions.set(topic, subscription);
      if (this.#status === 'open') this.#send(subscribeMessage(topic, since));
    } else if (since === null) {
      listener.since = subscription.since;
    } else if (subscription.since === null || since < subscription.since) {
      // The newcomer missed events the others have seen: subscribe again from its seq; the
      // replay's repeats are filtered per listener.
      subscription.since = since;
      if (this.#status === 'open') this.#send(subscribeMessage(topic, since));
    }
    subscription.listeners.add(listener);
    const current = subscription;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.#subscriptions.get(topic) !== current) return;
      this.#subscriptions.delete(topic);
      if (this.#status === 'open') this.#send({ type: 'unsubscribe', topic });
    };
  }

  /** Moves a listener set's resume point, e.g. after the caller refetched its data at `seq`. */
  resume(topic: string, seq: number): void {
    const subscription = this.#subscriptions.get(topic);
    if (!subscription) return;
    if (subscription.since === null || seq > subscription.since) subscription.since = seq;
    for (const listener of subscription.listeners)
      if (listener.since === null || seq > listener.since) listener.since = seq;
  }

  /** Sends a client message now if the socket is open (ephemeral messages are not queued). */
  send(message: ClientMessage): void {
    if (this.#status === 'open') this.#send(message);
  }

  /**
   * Sends a chat message over the socket; resolves to the stored message once the server
   * acknowledges it. Rejects (`ChatSendError`) when the socket is not open, when it drops before
   * the acknowledgement, or when the server refuses; the caller may retry with the same
   * `client_id`, which the server never stores twice.
   */
  sendChat(room: number, body: string, clientId: string): Promise<AckedMessage> {
    if (this.#status !== 'open' || this.#socket?.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ChatSendError('offline', 'Not connected'));
    }
    this.#pendingChats.get(clientId)?.reject(new ChatSendError('superseded', 'Sent again'));
    const acked = new Promise<AckedMessage>((resolve, reject) => this.#pendingChats.set(clientId, { resolve, reject }));
    this.#send({ type: 'chat.send', room, body, client_id: clientId });
    return acked;
  }

  #failPendingChats(code: string, message: string): void {
    const pending = [...this.#pendingChats.values()];
    this.#pendingChats.clear();
    for (const chat of pending) chat.reject(new ChatSendError(code, message));
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #connect(): void {
    clearTimeout(this.#retryTimer);
    const url = this.#options.url ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    this.#status = this.#attempt === 0 ? 'connecting' : 'reconnecting';
    socket.onmessage = (event) => {
      if (this.#socket !== socket || typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      this.#receive(message);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      if (event.code === CLOSE.unauthorized || event.code === CLOSE.revoked) {
        this.#socket = null;
        this.#clearHeartbeat();
        this.#failPendingChats('unauthorized', 'Signed out');
        this.#status = 'closed';
        this.#options.onAuthLost?.();
        return;
      }
      this.#drop();
    };
  }

  /**
   * Abandons the current socket and schedules the next attempt. The old socket's close (which
   * a dead connection may report only much later) is ignored from here on.
   */
  #drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#clearHeartbeat();
    this.#failPendingChats('offline', 'The connection dropped');
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close();
    if (!this.#stopped) this.#scheduleReconnect();
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case SERVER.ready:
        // Authenticated: (re)subscribe every topic from its last seen seq.
        this.#status = 'open';
        this.#attempt = 0;
        this.#startHeartbeat();
        for (const [topic, { since }] of this.#subscriptions) this.#send(subscribeMessage(topic, since));
        return;
      case SERVER.pong:
        clearTimeout(this.#pongTimer);
        return;
      case SERVER.subscribed: {
        // Where a subscription from now starts (events before this were replayed or held).
        const subscription = this.#subscriptions.get(message.topic);
        if (!subscription) return;
        subscription.since ??= message.seq;
        for (const listener of subscription.listeners) listener.since ??= message.seq;
        return;
      }
      case SERVER.unsubscribed:
        return;
      case SERVER.chatAck: {
        const pending = this.#pendingChats.get(message.client_id);
        this.#pendingChats.delete(message.client_id);
        pending?.resolve(message.message);
        return;
      }
      case SERVER.resync: {
        const subscription = this.#subscriptions.get(message.topic);
        if (!subscription) return;
        subscription.since = message.seq;
        for (const listener of subscription.listeners) {
          listener.since = message.seq;
          listener.handlers.resync();
        }
        return;
      }
      case SERVER.error: {
        if (message.client_id !== undefined) {
          const pending = this.#pendingChats.get(message.client_id);
          this.#pendingChats.delete(message.client_id);
          pending?.reject(new ChatSendError(message.code, message.message));
          return;
        }
        if (message.topic === undefined) return;
        for (const listener of this.#subscriptions.get(message.topic)?.listeners ?? []) {
          listener.handlers.refused?.(message.code, message.message);
        }
        return;
      }
    }
    const event: TopicMessage = message;
    const subscription = this.#subscriptions.get(event.topic);
    if (!subscription) return;
    // seq 0: ephemeral (presence, typing), outside the topic's sequence.
    if (isEphemeral(event)) {
      for (const listener of subscription.listeners) listener.handlers.ephemeral?.(event);
      return;
    }
    // At-least-once on the wire (a replay can overlap a live event): each seq is handled once.
    if (subscription.since === null || event.seq > subscription.since) subscription.since = event.seq;
    for (const listener of subscription.listeners) {
      if (listener.since !== null && event.seq <= listener.since) continue;
      listener.since = event.seq;
      listener.handlers.event(event);
    }
  }

  #scheduleReconnect(): void {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt += 1;
    this.#status = 'reconnecting';
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** The network came back: skip the rest of the backoff. */
  #reconnectNow = () => {
    if (!this.#stopped && !this.#socket) this.#connect();
  };

  #startHeartbeat(): void {
    this.#clearHeartbeat();
    this.#pingTimer = setInterval(() => {
      this.#send({ type: 'ping' });
      clearTimeout(this.#pongTimer);
      // A half-open TCP connection never reports a close: time the pong out instead.
      this.#pongTimer = setTimeout(() => this.#drop(), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  #clearHeartbeat(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
  }
}
