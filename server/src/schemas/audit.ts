import { z } from '@hono/zod-openapi';

/** Every action the audit log records (SPEC §11). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.logout_all',
  'auth.password_changed',
  'auth.password_reset',
  'auth.2fa_enabled',
  'auth.2fa_disabled',
  'auth.2fa_reset',
  'auth.sso_linked',
  'auth.sso_unlinked',
  'auth.sso_failed',
  'session.revoked',
  'token.created',
  'token.revoked',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'user.created',
  'user.changed',
  'user.deactivated',
  'settings.changed',
  'webhook.secret_rotated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().openapi({ format: 'date-time' }),
    actor: z.object({ id: z.number().int(), username: z.string() }).nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
