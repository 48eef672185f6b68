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

/** `GET /auth/setup/`: first-run state, and single sign-on as the sign-in page needs it. */
export const SetupStateSchema = z
  .object({
    needs_setup: z.boolean(),
    /** `only`: OIDC_ONLY, password sign-in is for superusers only. */
    oidc: z.object({ enabled: z.boolean(), label: z.string().nullable(), only: z.boolean() }),
  })
  .openapi('SetupState');
export type SetupState = z.infer<typeof SetupStateSchema>;
