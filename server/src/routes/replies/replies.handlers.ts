import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as replies from '../../services/replies.ts';
import type * as r from './replies.routes.ts';

export const listReplies: RouteHandler<typeof r.listReplies, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await replies.listReplies(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createReply: RouteHandler<typeof r.createReply, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await replies.createReply(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchReply: RouteHandler<typeof r.patchReply, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await replies.updateReply(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteReply: RouteHandler<typeof r.deleteReply, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await replies.deleteReply(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
