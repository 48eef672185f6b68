import { z } from '@hono/zod-openapi';

export const ContactSchema = z
  .object({
    id: z.number().int(),
    company: z.number().int().nullable(),
    name: z.string(),
    email: z.string(),
    phone: z.string(),
    notes: z.string(),
    created_at: z.string(),
  })
  .openapi('Contact');

export type Contact = z.infer<typeof ContactSchema>;
