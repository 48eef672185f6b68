import { createRoute, z } from '@hono/zod-openapi';
import { IdParam, json, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';

export const ActivitySchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int().nullable(),
    actor: z.number().int().nullable(),
    verb: z.string().openapi({ example: 'ticket.moved' }),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'What changed (old and new values, ids)' }),
    created_at: z.string(),
  })
  .openapi('Activity');

export const listActivity = createRoute({
  method: 'get',
  path: '/tickets/{id}/activity',
  tags: ['activity'],
  summary: "A ticket's activity log, newest first",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(ActivitySchema, 'Activity'), 'A page of activity'), ...StandardErrors },
});
