import { z } from '@hono/zod-openapi';

export const SessionSchema = z
  .object({
    id: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time' }),
    user_agent: z.string().nullable(),
    device: z.string().openapi({ description: 'The user agent in words, e.g. "Firefox 133 on Linux"' }),
    ip: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('SessionInfo');
export type SessionJson = z.infer<typeof SessionSchema>;
