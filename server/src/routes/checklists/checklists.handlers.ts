import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as checklists from '../../services/checklists.ts';
import type * as r from './checklists.routes.ts';

export const listChecklist: RouteHandler<typeof r.listChecklist, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await checklists.listChecklist(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const addChecklistItem: RouteHandler<typeof r.addChecklistItem, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await checklists.addItem(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchChecklistItem: RouteHandler<typeof r.patchChecklistItem, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await checklists.updateItem(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteChecklistItem: RouteHandler<typeof r.deleteChecklistItem, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await checklists.deleteItem(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
