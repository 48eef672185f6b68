import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import type { Actor } from '../../lib/actor.ts';
import type { Db } from '@laneway/db/client';
import { pageEnvelope, pageOfArray } from '../../lib/pagination.ts';
import { authorize, canManageProject } from '../../policy/index.ts';
import * as columns from '../../services/columns.ts';
import { requireProjectAccess } from '../../services/projects.ts';
import type * as r from './columns.routes.ts';

/** A column the actor may manage: 404 when its project is invisible, 403 when not superadmin. */
async function manageableColumn(db: Db, actor: Actor, id: number) {
  const column = await columns.getColumn(db, id);
  authorize(true, canManageProject(await requireProjectAccess(db, actor, column.projectId)));
  return column;
}

export const listColumns: RouteHandler<typeof r.listColumns, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const q = c.req.valid('query');
  const access = await requireProjectAccess(db, actor, q.project);
  const page = pageOfArray((await columns.listColumns(db, access.projectId)).map(columns.serializeColumn), q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createColumn: RouteHandler<typeof r.createColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { project, ...body } = c.req.valid('json');
  const access = await requireProjectAccess(db, actor, project);
  authorize(true, canManageProject(access));
  return c.json(await columns.createColumn(db, actor, access.projectId, body), 201);
};

export const patchColumn: RouteHandler<typeof r.patchColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const column = await manageableColumn(db, actor, c.req.valid('param').id);
  return c.json(await columns.updateColumn(db, actor, column, c.req.valid('json')), 200);
};

export const deleteColumn: RouteHandler<typeof r.deleteColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const column = await manageableColumn(db, actor, c.req.valid('param').id);
  await columns.deleteColumn(db, actor, column, c.req.valid('query').move_to);
  return c.body(null, 204);
};

export const moveColumn: RouteHandler<typeof r.moveColumn, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const column = await manageableColumn(db, actor, c.req.valid('param').id);
  return c.json(await columns.moveColumn(db, actor, column, c.req.valid('json')), 200);
};
