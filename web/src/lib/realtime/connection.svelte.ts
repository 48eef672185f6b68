import { CLOSE, SERVER, type ClientMessage, type EventMessage, type ServerMessage } from './protocol.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What a subscriber of one topic is told. */
export interface TopicHandlers {
  /** A stored event of the topic, in seq order, each exactly once. */
  event(message: EventMessage): void;
  /** The events since the last seen seq are gone (older than the retention): refetch. */
  resync(): void;
  /** The server refused the subscription (no access, unknown topic). */
  refused?(code: string, message: string): void;
}

interface Subscription {
  /** The last seq seen on the topic: sent as `since` on every (re)subscribe. */
  since: number;
  handlers: TopicHandlers;
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
    this.#status = 'closed';
  }

  /**
   * Follows a topic from `since` (the seq the caller's data was read at). Returns the
   * function that unsubscribes.
   */
  subscribe(topic: string, since: number, handlers: TopicHandlers): () => void {
    const subscription: Subscription = { since, handlers };
    this.#subscriptions.set(topic, subscription);
    if (this.#status === 'open') this.#send({ type: 'subscribe', topic, since });
    return () => {
      if (this.#subscriptions.get(topic) !== subscription) return;
      this.#subscriptions.delete(topic);
      if (this.#status === 'open') this.#send({ type: 'unsubscribe', topic });
    };
  }

  /** Moves a topic's resume point, e.g. after the caller refetched its data at `seq`. */
  resume(topic: string, seq: number): void {
    const subscription = this.#subscriptions.get(topic);
    if (subscription && seq > subscription.since) subscription.since = seq;
  }

  /** Sends a client message now if the socket is open (ephemeral messages are not queued). */
  send(message: ClientMessage): void {
    if (this.#status === 'open') this.#send(message);
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
        for (const [topic, { since }] of this.#subscriptions) this.#send({ type: 'subscribe', topic, since });
        return;
      case SERVER.pong:
        clearTimeout(this.#pongTimer);
        return;
      case SERVER.subscribed:
      case SERVER.unsubscribed:
      case SERVER.chatAck:
        return;
      case SERVER.resync: {
        const subscription = this.#subscriptions.get(message.topic);
        if (!subscription) return;
        subscription.since = message.seq;
        subscription.handlers.resync();
        return;
      }
      case SERVER.error: {
        const refusal = message as Extract<ServerMessage, { type: typeof SERVER.error }>;
        if (refusal.topic === undefined) return;
        this.#subscriptions.get(refusal.topic)?.handlers.refused?.(refusal.code, refusal.message);
        return;
      }
    }
    const event = message as EventMessage;
    const subscription = this.#subscriptions.get(event.topic);
    // seq 0: ephemeral (presence, typing), outside the topic's sequence; not used by the board yet.
    if (!subscription || event.seq === 0) return;
    // At-least-once on the wire (a replay can overlap a live event): each seq is handled once.
    if (event.seq <= subscription.since) return;
    subscription.since = event.seq;
    subscription.handlers.event(event);
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
