/**
 * The WebSocket protocol, typed once and imported by the server and the web app (SPEC §6).
 * Every client message is one flat JSON object with a `type`; every server message too.
 */
import { z } from 'zod';

/** Topics: a project's board, a chat room, a user's own notifications. */
export const TOPIC = /^(project|room|user):([1-9]\d{0,9})$/;
export const Topic = z.string().max(32).regex(TOPIC, 'A topic like project:1, room:2 or user:3');

const Id = z.number().int().min(1).max(2_147_483_647);

/** Client → server messages. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(200) }).strict(),
  z
    .object({
      type: z.literal('subscribe'),
      topic: Topic,
      /** The last seq the client saw: every later event is replayed before live ones. */
      since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    })
    .strict(),
  z.object({ type: z.literal('unsubscribe'), topic: Topic }).strict(),
  z
    .object({
      type: z.literal('chat.send'),
      room: Id,
      body: z.string().trim().min(1).max(10_000),
      client_id: z.string().min(1).max(100),
    })
    .strict(),
  z.object({ type: z.literal('typing'), room: Id }).strict(),
  z
    .object({
      type: z.literal('presence'),
      topic: Topic,
      viewing: z.boolean().optional(),
      dragging: Id.nullable().optional(),
    })
    .strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

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
