import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as users from '../../services/users.ts';
import { dropUnchanged } from '../compat.ts';
import {
  UserPatch,
  UserPut,
  type createUser,
  type getUser,
  type listUsers,
  type patchUser,
  type putUser,
} from './users.routes.ts';

export const listUsersHandler: RouteHandler<typeof listUsers, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await users.listUsers(c.var.deps.db, actor, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createUserHandler: RouteHandler<typeof createUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await users.createUser(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const getUserHandler: RouteHandler<typeof getUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await users.getUser(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchUserHandler: RouteHandler<typeof patchUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), UserPatch, () => users.getUser(db, actor, id));
  return c.json(await users.updateUser(db, actor, id, body), 200);
};

export const putUserHandler: RouteHandler<typeof putUser, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), UserPut, () => users.getUser(db, actor, id));
  return c.json(await users.updateUser(db, actor, id, body), 200);
};
