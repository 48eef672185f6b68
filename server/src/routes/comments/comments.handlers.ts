import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as comments from '../../services/comments.ts';
import type * as r from './comments.routes.ts';

export const listComments: RouteHandler<typeof r.listComments, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await comments.listComments(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createComment: RouteHandler<typeof r.createComment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await comments.createComment(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchComment: RouteHandler<typeof r.patchComment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await comments.updateComment(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteComment: RouteHandler<typeof r.deleteComment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await comments.deleteComment(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
