import { z } from '@hono/zod-openapi';

export const RoomSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    ticket: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The ticket whose room this is; null for a project room' }),
    name: z.string(),
    ticket_title: z.string().nullable().openapi({ description: "The ticket's title (null for a project room)" }),
    created_at: z.string(),
    last_message_at: z.string().nullable(),
  })
  .openapi('ChatRoom');

export const MessageSchema = z
  .object({
    id: z.number().int(),
    room: z.number().int(),
    author: z.number().int().nullable(),
    contact: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The ticket's contact who wrote it (a reply by mail); author is then null" }),
    via: z.enum(['app', 'email']).openapi({ description: '`email`: a reply by mail' }),
    body: z.string(),
    client_id: z.string().nullable().openapi({ description: "The sender's idempotency key" }),
    created_at: z.string(),
  })
  .openapi('ChatMessage');

export type Room = z.infer<typeof RoomSchema>;
export type Message = z.infer<typeof MessageSchema>;
