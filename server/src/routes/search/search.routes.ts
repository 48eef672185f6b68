import { createRoute, z } from '@hono/zod-openapi';
import { json, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { SEARCH_TYPES, SearchResultSchema } from '../../schemas/search.ts';

export const search = createRoute({
  method: 'get',
  path: '/search',
  tags: ['search'],
  summary:
    'Search projects, tickets (by key such as `OPS-7`, or by title, description and text fields), comments and chat messages the caller may see, best match first',
  request: {
    query: PageQuery.extend({
      q: z
        .string()
        .max(200)
        .refine((s) => s.trim().length > 0, 'May not be blank')
        .openapi({
          description: 'Words (each matched as a prefix, accents ignored) or a ticket key',
          example: 'printer',
        }),
      type: z.enum(SEARCH_TYPES).optional().openapi({ description: 'Only this kind of result' }),
    }),
  },
  responses: { 200: json(paginated(SearchResultSchema, 'SearchResults'), 'A page of results'), ...StandardErrors },
});
