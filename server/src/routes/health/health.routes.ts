import { createRoute, z } from '@hono/zod-openapi';

const ReadyBody = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.boolean()) })
  .openapi('Readiness');

export const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness: answers without any I/O',
  responses: {
    200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
  },
});

export const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['health'],
  summary: 'Readiness: Postgres, migrations, and Redis / worker when configured',
  description:
    'With `scope=instance`, only what this process needs to serve requests (Postgres, migrations, Redis): ' +
    "the container health check uses it, so a stopped worker does not take the app's routing down with it.",
  request: {
    query: z.object({
      scope: z
        .enum(['all', 'instance'])
        .default('all')
        .openapi({ description: '`all` (default, SPEC §5) also needs a live worker heartbeat' }),
    }),
  },
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadyBody } } },
    503: {
      description: 'A dependency failed; `checks` names it',
      content: { 'application/json': { schema: ReadyBody } },
    },
  },
});

export const dbCheck = createRoute({
  method: 'get',
  path: '/db-check',
  tags: ['health'],
  summary: 'Round trip to Postgres',
  responses: {
    200: {
      description: 'Connected',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok'), latency_ms: z.number() }) } },
    },
    503: {
      description: 'Not connected',
      content: { 'application/json': { schema: z.object({ status: z.literal('unavailable'), error: z.string() }) } },
    },
  },
});
