import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as time from '../../services/time.ts';
import type * as r from './time.routes.ts';

export const listTime: RouteHandler<typeof r.listTime, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await time.listTime(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const addTime: RouteHandler<typeof r.addTime, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await time.addTimeEntry(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchTime: RouteHandler<typeof r.patchTime, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await time.updateTimeEntry(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteTime: RouteHandler<typeof r.deleteTime, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await time.deleteTimeEntry(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const myTimer: RouteHandler<typeof r.myTimer, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json({ timer: await time.myTimer(c.var.deps.db, actor) }, 200);
};

export const startTimer: RouteHandler<typeof r.startTimer, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await time.startTimer(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const stopTimer: RouteHandler<typeof r.stopTimer, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await time.stopTimer(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const timeReport: RouteHandler<typeof r.timeReport, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  return c.json(await time.timeReport(c.var.deps.db, actor, id, c.req.valid('query').month), 200);
};
