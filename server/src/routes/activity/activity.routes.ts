import { createRoute } from '@hono/zod-openapi';
import { IdParam, json, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { ActivitySchema } from '../../schemas/activity.ts';

export const listActivity = createRoute({
  method: 'get',
  path: '/tickets/{id}/activity',
  tags: ['activity'],
  summary: "A ticket's activity log, newest first",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(ActivitySchema, 'Activity'), 'A page of activity'), ...StandardErrors },
});
