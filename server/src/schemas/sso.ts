import { z } from '@hono/zod-openapi';

/** A provider account linked to the caller (SPEC §12), as /account lists it. */
export const IdentitySchema = z
  .object({
    id: z.number().int(),
    issuer: z.string(),
    subject: z.string(),
    email: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
    last_login_at: z.string().openapi({ format: 'date-time' }).nullable(),
  })
  .openapi('SsoIdentity');
export type Identity = z.infer<typeof IdentitySchema>;
