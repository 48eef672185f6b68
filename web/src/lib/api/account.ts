/**
 * REST calls for the caller's own account (SPEC §11): password, password reset, two-factor
 * authentication and the sign-in's second step, API tokens, sessions; invitations (sending,
 * listing, accepting) and the superuser's audit log. Types come from the server's schemas
 * (type-only), like every resource of `types.ts`.
 */
import type { z } from 'zod';
import type { ApiTokenSchema, NewApiTokenSchema } from '../../../../server/src/schemas/api-tokens.ts';
import type { AuditEntrySchema } from '../../../../server/src/schemas/audit.ts';
import type { InvitationPreviewSchema, InvitationSchema } from '../../../../server/src/schemas/invitations.ts';
import type { SessionSchema } from '../../../../server/src/schemas/sessions.ts';
import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Page, ProjectRole, User } from './types.ts';

export type { AuditAction } from '../../../../server/src/schemas/audit.ts';

export type ApiToken = z.infer<typeof ApiTokenSchema>;
/** A token as created: the only time its secret (`token`) is shown. */
export type NewApiToken = z.infer<typeof NewApiTokenSchema>;
export type SessionInfo = z.infer<typeof SessionSchema>;
export type Invitation = z.infer<typeof InvitationSchema>;
export type InvitationPreview = z.infer<typeof InvitationPreviewSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The sign-in's answer: a session, or (2FA on) the second step's token. */
export type SignIn = { user: User } | { mfa_required: true; mfa_token: string };
/** A TOTP code (six digits) or a recovery code. */
export type SecondFactor = { code: string } | { recovery_code: string };

export interface NewInvitation {
  email: string;
  name?: string;
  projects?: { project: number; role: ProjectRole }[];
  company?: { id: number; role: 'admin' | 'user' };
}

export interface AuditQuery {
  actor?: number;
  action?: string;
  /** ISO 8601 */
  since?: string;
  /** ISO 8601 */
  until?: string;
  page?: number;
  page_size?: number;
}

/** The audit log's query string (also the CSV download's source). */
export const auditQuery = (params: AuditQuery) => query({ ...params });

export function accountCalls(call: Call) {
  return {
    /** Signs in by username or email; with 2FA on, answers the second step's token instead. */
    signIn: (body: { username: string; password: string }) => call<SignIn>('POST', '/auth/login/', body),
    signInSecondStep: (mfaToken: string, factor: SecondFactor) =>
      call<{ user: User }>('POST', '/auth/login/2fa/', { mfa_token: mfaToken, ...factor }),
    patchMe: (fields: { name?: string; email?: string }) => call<User>('PATCH', '/auth/me/', fields),
    changePassword: (current: string, next: string) =>
      call<unknown>('POST', '/auth/password/', { current_password: current, new_password: next }),
    requestPasswordReset: (email: string) => call<unknown>('POST', '/auth/password-reset/', { email }),
    confirmPasswordReset: (token: string, password: string) =>
      call<void>('POST', '/auth/password-reset/confirm/', { token, password }),

    setupTwoFactor: (password: string) =>
      call<{ secret: string; otpauth_url: string; qr_svg: string }>('POST', '/auth/2fa/setup/', { password }),
    enableTwoFactor: (code: string) => call<{ recovery_codes: string[] }>('POST', '/auth/2fa/enable/', { code }),
    disableTwoFactor: (password: string, factor: SecondFactor) =>
      call<void>('POST', '/auth/2fa/disable/', { password, ...factor }),
    /** The superuser turns someone's 2FA off (a lost phone and lost codes); they are told by mail. */
    resetUserTwoFactor: (userId: number) => call<void>('POST', `/users/${userId}/2fa/reset/`),
    newRecoveryCodes: (code: string) =>
      call<{ recovery_codes: string[] }>('POST', '/auth/2fa/recovery-codes/', { code }),

    apiTokens: () => call<ApiToken[]>('GET', '/auth/tokens/'),
    createApiToken: (body: { name: string; scope: 'read' | 'write'; expires_at?: string }) =>
      call<NewApiToken>('POST', '/auth/tokens/', body),
    revokeApiToken: (id: number) => call<void>('DELETE', `/auth/tokens/${id}/`),

    sessions: () => call<SessionInfo[]>('GET', '/auth/sessions/'),
    endSession: (id: string) => call<void>('DELETE', `/auth/sessions/${encodeURIComponent(id)}/`),

    invite: (body: NewInvitation) => call<Invitation>('POST', '/invitations/', body),
    invitations: (page = 1) => call<Page<Invitation>>('GET', `/invitations/${query({ page, page_size: 50 })}`),
    revokeInvitation: (id: number) => call<void>('DELETE', `/invitations/${id}/`),
    invitation: (token: string) => call<InvitationPreview>('GET', `/auth/invitations/${encodeURIComponent(token)}/`),
    acceptInvitation: (token: string, body: { username: string; password: string; name?: string }) =>
      call<{ user: User }>('POST', `/auth/invitations/${encodeURIComponent(token)}/accept/`, body),

    audit: (params: AuditQuery) => call<Page<AuditEntry>>('GET', `/audit/${auditQuery(params)}`),
  };
}
