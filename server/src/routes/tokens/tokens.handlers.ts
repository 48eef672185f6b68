import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import * as tokens from '../../services/api-tokens.ts';
import type * as r from './tokens.routes.ts';

export const listTokens: RouteHandler<typeof r.listTokens, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await tokens.listTokens(c.var.deps.db, actor), 200);
};

export const createToken: RouteHandler<typeof r.createToken, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await tokens.createToken(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const revokeToken: RouteHandler<typeof r.revokeToken, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await tokens.revokeToken(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
