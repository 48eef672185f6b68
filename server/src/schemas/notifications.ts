import { z } from '@hono/zod-openapi';

/** What a notification is about (SPEC §7 `notify`). */
export const NOTIFICATION_KINDS = ['assigned', 'mentioned', 'commented', 'chat', 'done', 'webhook_disabled'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NotificationSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(NOTIFICATION_KINDS),
    ticket: z.number().int().nullable(),
    actor: z.number().int().nullable().openapi({ description: 'Who caused it' }),
    data: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'ticket_key, title, project, and per kind: comment, room, message, excerpt, column' }),
    created_at: z.string(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');

export type Notification = z.infer<typeof NotificationSchema>;
