import { z } from '@hono/zod-openapi';

export const ReplySchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    name: z.string(),
    body: z.string().openapi({
      description:
        'Markdown; `{{ticket.key}}`, `{{ticket.title}}`, `{{contact.name}}`, `{{agent.name}}` are filled in when used',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CannedReply');

export type Reply = z.infer<typeof ReplySchema>;

/** The placeholders a canned response may use. */
export const REPLY_PLACEHOLDERS = ['ticket.key', 'ticket.title', 'contact.name', 'agent.name'] as const;
