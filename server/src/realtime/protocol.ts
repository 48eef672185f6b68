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

export * from './wire.ts';
