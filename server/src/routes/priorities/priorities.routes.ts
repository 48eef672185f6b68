import { createRoute } from '@hono/zod-openapi';
import { errors, json } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { PrioritySchema } from '../../schemas/priorities.ts';

export const listPriorities = createRoute({
  method: 'get',
  path: '/priorities',
  tags: ['priorities'],
  summary: 'The fixed priorities: 1 Low, 2 Medium, 3 High, 4 Urgent',
  request: { query: PageQuery },
  responses: { 200: json(paginated(PrioritySchema, 'Priorities'), 'Priorities'), ...errors(400, 401) },
});
