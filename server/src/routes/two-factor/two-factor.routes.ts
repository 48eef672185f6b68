import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { oneFactor, SecondFactorFields } from '../auth/auth.routes.ts';

const Code = z.string().regex(/^\d{6}$/, 'Six digits');
const Password = z.string().min(1).max(256);
const RecoveryCodes = z.object({ recovery_codes: z.array(z.string()) }).openapi('RecoveryCodes');

export const setupTwoFactor = createRoute({
  method: 'post',
  path: '/auth/2fa/setup',
  tags: ['auth'],
  summary: 'Start TOTP enrolment: a new secret, its otpauth:// URL and QR code (SVG); not on until enabled',
  request: { body: jsonBody(z.object({ password: Password }).strict()) },
  responses: {
    200: json(
      z.object({ secret: z.string(), otpauth_url: z.string(), qr_svg: z.string() }).openapi('TwoFactorSetup'),
      'Enrolment',
    ),
    ...errors(400, 401, 403, 409),
  },
});

export const enableTwoFactor = createRoute({
  method: 'post',
  path: '/auth/2fa/enable',
  tags: ['auth'],
  summary: 'Turn TOTP on with a first code: answers 10 single-use recovery codes, shown this once',
  request: { body: jsonBody(z.object({ code: Code }).strict()) },
  responses: { 200: json(RecoveryCodes, 'On'), ...errors(400, 401, 403, 409) },
});

export const disableTwoFactor = createRoute({
  method: 'post',
  path: '/auth/2fa/disable',
  tags: ['auth'],
  summary: 'Turn TOTP off with the password and a code or a recovery code',
  request: {
    body: jsonBody(
      z
        .object({ password: Password, ...SecondFactorFields })
        .strict()
        .refine(oneFactor, { message: 'Send code or recovery_code', path: ['code'] }),
    ),
  },
  responses: { 204: { description: 'Off' }, ...errors(400, 401, 403, 409) },
});

export const regenerateRecoveryCodes = createRoute({
  method: 'post',
  path: '/auth/2fa/recovery-codes',
  tags: ['auth'],
  summary: 'A new set of recovery codes for a current code; the old set is void',
  request: { body: jsonBody(z.object({ code: Code }).strict()) },
  responses: { 200: json(RecoveryCodes, 'The new set'), ...errors(400, 401, 403, 409) },
});

export const resetTwoFactor = createRoute({
  method: 'post',
  path: '/users/{id}/2fa/reset',
  tags: ['users'],
  summary: "Turn a user's two-factor authentication off (superuser)",
  request: { params: IdParam },
  responses: { 204: { description: 'Off' }, ...errors(401, 403, 404) },
});
