import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as relations from '../../services/relations.ts';
import type * as r from './relations.routes.ts';

export const listRelations: RouteHandler<typeof r.listRelations, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await relations.listRelations(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const addRelation: RouteHandler<typeof r.addRelation, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await relations.addRelation(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const deleteRelation: RouteHandler<typeof r.deleteRelation, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await relations.deleteRelation(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
