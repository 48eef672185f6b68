import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import * as sla from '../../services/sla.ts';
import type * as r from './sla.routes.ts';

export const getSla: RouteHandler<typeof r.getSla, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await sla.getSlaSettings(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const addSlaTarget: RouteHandler<typeof r.addSlaTarget, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await sla.addSlaTarget(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const deleteSlaTarget: RouteHandler<typeof r.deleteSlaTarget, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await sla.deleteSlaTarget(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const putBusinessHours: RouteHandler<typeof r.putBusinessHours, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await sla.putBusinessHours(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};
