import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as columns from '../../services/columns.ts';
import { dropUnchanged } from '../compat.ts';
import * as r from './columns.routes.ts';

export const listColumns: RouteHandler<typeof r.listColumns, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await columns.listColumns(c.var.deps.db, actor, q.project, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createColumn: RouteHandler<typeof r.createColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await columns.createColumn(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const patchColumn: RouteHandler<typeof r.patchColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.ColumnPatch, () =>
    columns.getManageableColumn(db, actor, id),
  );
  return c.json(await columns.updateColumn(db, actor, id, body), 200);
};

export const putColumn: RouteHandler<typeof r.putColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.ColumnPut, () => columns.getManageableColumn(db, actor, id));
  return c.json(await columns.updateColumn(db, actor, id, body), 200);
};

export const deleteColumn: RouteHandler<typeof r.deleteColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  await columns.deleteColumn(c.var.deps.db, actor, id, c.req.valid('query').move_to);
  return c.body(null, 204);
};

export const moveColumn: RouteHandler<typeof r.moveColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await columns.moveColumn(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};
