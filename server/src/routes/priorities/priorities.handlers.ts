import type { RouteHandler } from '@hono/zod-openapi';
import { priorities } from '@laneway/db/schema';
import { asc } from 'drizzle-orm';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, pageOfArray } from '../../lib/pagination.ts';
import type { listPriorities } from './priorities.routes.ts';

export const listPrioritiesHandler: RouteHandler<typeof listPriorities, AppEnv> = async (c) => {
  requireAuth(c);
  const q = c.req.valid('query');
  // Four fixed reference rows: read directly, no service needed.
  const rows = await c.var.deps.db.select().from(priorities).orderBy(asc(priorities.id));
  const page = pageOfArray(rows, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};
