/**
 * The wire format's constants and types (SPEC §6) without any runtime dependency, so the web
 * app's bundle can import them as values; `protocol.ts` adds the zod schemas of client messages
 * and re-exports all of this.
 */
import type { Message } from '../schemas/chat.ts';
import type { EventMessage } from './events.ts';

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

export type { EventMessage, EventType, EventPayload } from './events.ts';

/** An ephemeral event as delivered (`seq: 0`). */
export type EphemeralMessage =
  | { type: typeof EPHEMERAL.typing; topic: string; seq: 0; at: string; data: TypingData }
  | { type: typeof EPHEMERAL.presence; topic: string; seq: 0; at: string; data: PresenceData };

/** What a topic's subscriber receives as an event: a recorded one (typed by the registry) or an ephemeral one. */
export type TopicMessage = EventMessage | EphemeralMessage;

/** Ephemeral events carry seq 0, outside their topic's sequence. */
export function isEphemeral(message: TopicMessage): message is EphemeralMessage {
  return message.seq === 0;
}

/**
 * Any message the bus carries between instances, before it is told apart: recorded and
 * ephemeral events, and the instances' own control messages. Transport code (bus, frames,
 * sockets) handles it without looking inside; only `events.ts` types say what `data` is.
 */
export interface BusMessage {
  type: string;
  topic: string;
  seq: number;
  at: string;
  data: unknown;
}

export type ServerMessage =
  | TopicMessage
  | { type: typeof SERVER.ready; user: { id: number; username: string } }
  | { type: typeof SERVER.subscribed; topic: string; seq: number }
  | { type: typeof SERVER.unsubscribed; topic: string }
  | { type: typeof SERVER.resync; topic: string; seq: number }
  | { type: typeof SERVER.error; code: string; message: string; topic?: string; client_id?: string }
  | { type: typeof SERVER.pong }
  | { type: typeof SERVER.chatAck; room: number; client_id: string; message: Message };

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
