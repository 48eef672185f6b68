import { createRoute, z } from '@hono/zod-openapi';
import { errors, json } from '../../lib/openapi.ts';
import { SessionSchema } from '../../schemas/sessions.ts';

const SessionParam = z.object({
  id: z
    .string()
    .regex(/^[a-z2-7]{1,64}$/, 'A session id')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'abcdefghijklmnopqrstuvwx' }),
});

export const listSessions = createRoute({
  method: 'get',
  path: '/auth/sessions',
  tags: ['auth'],
  summary: "The caller's signed-in devices; not callable with an API token",
  responses: { 200: json(z.array(SessionSchema), 'Sessions, most recently used first'), ...errors(401, 403) },
});

export const endSession = createRoute({
  method: 'delete',
  path: '/auth/sessions/{id}',
  tags: ['auth'],
  summary: 'Sign out one device: its session, refresh tokens and sockets end at once',
  request: { params: SessionParam },
  responses: { 204: { description: 'Ended' }, ...errors(400, 401, 403, 404) },
});
