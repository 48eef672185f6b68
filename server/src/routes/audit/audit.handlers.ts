import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as audit from '../../services/audit.ts';
import type * as r from './audit.routes.ts';

export const listAudit: RouteHandler<typeof r.listAudit, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const query = c.req.valid('query');
  const found = await audit.listAudit(c.var.deps.db, actor, query);
  return c.json(pageEnvelope(c.req.url, query, found.count, found.results), 200);
};
