import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import * as sessions from '../../services/sessions.ts';
import type * as r from './sessions.routes.ts';

export const listSessions: RouteHandler<typeof r.listSessions, AppEnv> = async (c) => {
  const { actor, sessionId } = requireAuth(c);
  return c.json(await sessions.listSessions(c.var.deps.db, actor, sessionId), 200);
};

export const endSession: RouteHandler<typeof r.endSession, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await sessions.endSession(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
