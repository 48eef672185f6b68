import { z } from '@hono/zod-openapi';

export const ActivitySchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int().nullable(),
    actor: z.number().int().nullable(),
    verb: z.string().openapi({ example: 'ticket.moved' }),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'What changed (old and new values, ids)' }),
    created_at: z.string(),
  })
  .openapi('Activity');

export type Activity = z.infer<typeof ActivitySchema>;
