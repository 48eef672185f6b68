import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody } from '../../lib/openapi.ts';
import { Email, NewUserBody, Password, PersonName } from '../users/users.routes.ts';
import { SetupStateSchema } from '../../schemas/sso.ts';
import { MeSchema, UserSchema } from '../../schemas/users.ts';

const Tokens = z.object({ access: z.string(), refresh: z.string() }).openapi('Tokens');
const TokensWithUser = Tokens.extend({ user: UserSchema }).openapi('Session');
const Status = z.object({ status: z.string() });
const MfaChallenge = z.object({ mfa_required: z.literal(true), mfa_token: z.string() }).openapi('MfaChallenge');

export const setup = createRoute({
  method: 'get',
  path: '/auth/setup',
  tags: ['auth'],
  summary: 'Whether the instance still needs its first user',
  security: [],
  responses: {
    200: json(SetupStateSchema, 'Setup state, and whether single sign-on is on'),
  },
});

export const register = createRoute({
  method: 'post',
  path: '/auth/register',
  tags: ['auth'],
  summary: 'Create an account: the first user becomes instance superuser; later only with ALLOW_REGISTRATION',
  security: [],
  request: { body: jsonBody(NewUserBody) },
  responses: { 201: json(TokensWithUser, 'Created and signed in'), ...errors(400, 403, 409) },
});

const LoginBody = z
  .object({
    username: z.string().trim().min(1).max(254).optional(),
    email: z.string().trim().min(1).max(254).optional(),
    password: z.string().min(1).max(256),
  })
  .strict()
  .refine((b) => b.username || b.email, { message: 'username or email is required', path: ['username'] })
  .openapi('Login');

export const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary: 'Sign in by username or email; also sets the HttpOnly session cookie',
  security: [],
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(
      z.union([TokensWithUser, MfaChallenge]),
      'Signed in, or (2FA on) the second step: `mfa_required` and an `mfa_token`, no session',
    ),
    ...errors(400, 401, 429),
  },
});

/** A TOTP code or a recovery code, exactly one. */
export const SecondFactorFields = {
  code: z
    .string()
    .regex(/^\d{6}$/, 'Six digits')
    .optional(),
  recovery_code: z.string().trim().min(1).max(40).optional(),
};
export const oneFactor = (b: { code?: string | undefined; recovery_code?: string | undefined }) =>
  (b.code === undefined) !== (b.recovery_code === undefined);

export const loginSecondStep = createRoute({
  method: 'post',
  path: '/auth/login/2fa',
  tags: ['auth'],
  summary: "The sign-in's second step: the mfa_token and a TOTP code or a recovery code (5 minutes, 5 tries)",
  security: [],
  request: {
    body: jsonBody(
      z
        .object({ mfa_token: z.string().min(1).max(100), ...SecondFactorFields })
        .strict()
        .refine(oneFactor, { message: 'Send code or recovery_code', path: ['code'] }),
    ),
  },
  responses: { 200: json(TokensWithUser, 'Signed in'), ...errors(400, 401) },
});

export const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['auth'],
  summary: 'Rotate: a refresh token buys a new access and refresh token, once',
  security: [],
  request: { body: jsonBody(z.object({ refresh: z.string().min(1).max(200) }).strict()) },
  responses: { 200: json(Tokens, 'New tokens'), ...errors(400, 401) },
});

export const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: 'End this session (and its refresh token) at once',
  responses: {
    200: json(
      Status.extend({ end_session_url: z.string().optional() }),
      'Signed out; after a single sign-on, `end_session_url` ends the session at the provider too (RP-initiated logout)',
    ),
    ...errors(401, 403),
  },
});

export const logoutAll = createRoute({
  method: 'post',
  path: '/auth/logout-all',
  tags: ['auth'],
  summary: 'End every session of the caller',
  responses: { 200: json(Status, 'Signed out everywhere'), ...errors(401, 403) },
});

export const me = createRoute({
  method: 'get',
  path: '/auth/me',
  tags: ['auth'],
  summary: 'The caller, their project memberships and company roles',
  responses: { 200: json(MeSchema, 'The caller'), ...errors(401) },
});

export const patchMe = createRoute({
  method: 'patch',
  path: '/auth/me',
  tags: ['auth'],
  summary: 'Update your own name or email',
  request: { body: jsonBody(z.object({ name: PersonName.optional(), email: Email.optional() }).strict()) },
  responses: { 200: json(MeSchema, 'Updated'), ...errors(400, 401, 403, 409) },
});

export const changePassword = createRoute({
  method: 'post',
  path: '/auth/password',
  tags: ['auth'],
  summary: 'Change your password: every session ends and this one is replaced',
  request: {
    body: jsonBody(z.object({ current_password: z.string().min(1).max(256), new_password: Password }).strict()),
  },
  responses: { 200: json(Tokens, 'New tokens'), ...errors(400, 401, 403) },
});
