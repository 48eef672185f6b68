import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody } from '../../lib/openapi.ts';
import { Email, Password } from '../users/users.routes.ts';

export const requestReset = createRoute({
  method: 'post',
  path: '/auth/password-reset',
  tags: ['auth'],
  summary: 'Email a reset link: the same answer, in about the same time, whether or not the address exists',
  security: [],
  request: { body: jsonBody(z.object({ email: Email }).strict()) },
  responses: {
    202: json(z.object({ status: z.literal('sent_if_known') }), 'Accepted'),
    ...errors(400, 429),
  },
});

export const confirmReset = createRoute({
  method: 'post',
  path: '/auth/password-reset/confirm',
  tags: ['auth'],
  summary: 'Set a new password with a reset token, once; every session ends and nobody is signed in',
  security: [],
  request: {
    body: jsonBody(z.object({ token: z.string().min(1).max(100), password: Password }).strict()),
  },
  responses: { 204: { description: 'Password set' }, ...errors(400) },
});
