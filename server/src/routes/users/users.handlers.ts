import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import { authorize, canListUsers, canManageUsers } from '../../policy/index.ts';
import { loadActorProfile } from '../../policy/load.ts';
import * as users from '../../services/users.ts';
import type { createUser, getUser, listUsers, patchUser } from './users.routes.ts';

export const listUsersHandler: RouteHandler<typeof listUsers, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const q = c.req.valid('query');
  authorize(true, canListUsers(await loadActorProfile(db, actor)));
  const page = await users.listUsers(
    db,
    { search: q.search, is_active: q.is_active },
    parseOrdering(q.ordering, users.USER_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createUserHandler: RouteHandler<typeof createUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  authorize(true, canManageUsers(actor));
  const user = await users.createUser(c.var.deps.db, c.req.valid('json'));
  return c.json(users.serializeUser(user), 201);
};

export const getUserHandler: RouteHandler<typeof getUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  authorize(id === actor.id || canListUsers(await loadActorProfile(db, actor)), true);
  return c.json(users.serializeUser(await users.getUser(db, id)), 200);
};

export const patchUserHandler: RouteHandler<typeof patchUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const profile = await loadActorProfile(db, actor);
  authorize(id === actor.id || canListUsers(profile), canManageUsers(actor));
  return c.json(users.serializeUser(await users.updateUser(db, id, c.req.valid('json'))), 200);
};
