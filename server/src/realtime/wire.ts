/**
 * The wire format's constants and types (SPEC §6) without any runtime dependency, so the web
 * app's bundle can import them as values; `protocol.ts` adds the zod schemas of client messages
 * and re-exports all of this.
 */
/** Server → client message types besides the events themselves (`ticket.moved`, …). */
export const SERVER = {
  ready: 'ready',
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  resync: 'resync',
  error: 'error',
  pong: 'pong',
  /** The answer to `chat.send`: the stored message (the first one, for a repeated client_id). */
  chatAck: 'chat.ack',
} as const;

/**
 * Ephemeral event types: relayed to the topic's other subscribers, never stored, carried with
 * `seq: 0` (outside the topic's sequence, so they are neither replayed nor gap-checked). Each
 * says how long it holds (`ttl_ms`); a client forgets it after that unless it is repeated.
 */
export const EPHEMERAL = { typing: 'chat.typing', presence: 'presence' } as const;
export const TYPING_TTL_MS = 5_000;
export const PRESENCE_TTL_MS = 30_000;

/** Who an ephemeral event is about. */
export interface EphemeralUser {
  id: number;
  username: string;
}
export interface TypingData {
  room: number;
  user: EphemeralUser;
  ttl_ms: number;
}
/** `viewing: false` when the viewer left (unsubscribed, closed the socket). */
export interface PresenceData {
  user: EphemeralUser;
  viewing: boolean;
  dragging: number | null;
  ttl_ms: number;
}

/** An event as delivered: the outbox row of its topic. */
export interface EventMessage {
  type: string;
  topic: string;
  seq: number;
  at: string;
  data: unknown;
}

export type ServerMessage =
  | EventMessage
  | { type: typeof SERVER.ready; user: { id: number; username: string } }
  | { type: typeof SERVER.subscribed; topic: string; seq: number }
  | { type: typeof SERVER.unsubscribed; topic: string }
  | { type: typeof SERVER.resync; topic: string; seq: number }
  | { type: typeof SERVER.error; code: string; message: string; topic?: string; client_id?: string }
  | { type: typeof SERVER.pong }
  | { type: typeof SERVER.chatAck; room: number; client_id: string; message: unknown };

/** Close codes. 4xxx are Laneway's own; a client reconnects and resumes on RESUME. */
export const CLOSE = {
  /** Server shutting down: reconnect (to another instance) and resume. */
  goingAway: 1001,
  /** No valid session (at the upgrade, or no `auth` message within the grace period). */
  unauthorized: 4001,
  /** The session ended (logout, deactivation). */
  revoked: 4003,
  /** The client fell too far behind; reconnect and resume with `since`. */
  resume: 4008,
} as const;

/** How long an unauthenticated socket may wait before sending `auth`. */
export const AUTH_GRACE_MS = 5_000;
/** Largest client message accepted, in bytes. */
export const MAX_PAYLOAD = 64 * 1024;
