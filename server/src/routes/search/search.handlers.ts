import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as searchService from '../../services/search.ts';
import type * as r from './search.routes.ts';

export const search: RouteHandler<typeof r.search, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await searchService.search(c.var.deps.db, actor, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};
