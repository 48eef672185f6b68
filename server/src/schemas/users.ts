import { z } from '@hono/zod-openapi';
import { PROJECT_ROLES } from './projects.ts';

export const UserSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    is_superuser: z.boolean(),
    is_active: z.boolean(),
    avatar_color: z.string(),
    created_at: z.string(),
    last_login_at: z.string().nullable(),
  })
  .openapi('User');

export const MeSchema = UserSchema.extend({
  memberships: z.array(z.object({ project: z.number().int(), role: z.enum(PROJECT_ROLES) })),
  companies: z.array(z.object({ company: z.number().int(), role: z.enum(['admin', 'user']) })),
  /** Two-factor authentication is on for this account. */
  two_factor: z.boolean(),
  /** REQUIRE_2FA covers this account and it has no 2FA yet: every other route answers 403 until it enrols. */
  mfa_setup_required: z.boolean(),
}).openapi('Me');

export type User = z.infer<typeof UserSchema>;
export type Me = z.infer<typeof MeSchema>;
