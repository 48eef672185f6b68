import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { ApiTokenSchema, NewApiTokenSchema } from '../../schemas/api-tokens.ts';

const NewTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scope: z.enum(['read', 'write']),
    expires_at: z.coerce.date().optional().openapi({ type: 'string', format: 'date-time' }),
  })
  .strict()
  .openapi('NewApiTokenBody');

export const listTokens = createRoute({
  method: 'get',
  path: '/auth/tokens',
  tags: ['auth'],
  summary: "The caller's API tokens (never their secrets); not callable with an API token",
  responses: { 200: json(z.array(ApiTokenSchema), 'Live tokens, newest first'), ...errors(401, 403) },
});

export const createToken = createRoute({
  method: 'post',
  path: '/auth/tokens',
  tags: ['auth'],
  summary: 'Create an API token (`Authorization: Bearer lw_…`): the secret is shown this once',
  request: { body: jsonBody(NewTokenBody) },
  responses: { 201: json(NewApiTokenSchema, 'Created'), ...errors(400, 401, 403) },
});

export const revokeToken = createRoute({
  method: 'delete',
  path: '/auth/tokens/{id}',
  tags: ['auth'],
  summary: 'Revoke an API token: it answers 401 from now on and its sockets close',
  request: { params: IdParam },
  responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404) },
});
