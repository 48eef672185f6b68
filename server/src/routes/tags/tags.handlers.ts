import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as tags from '../../services/tags.ts';
import { dropUnchanged } from '../compat.ts';
import * as r from './tags.routes.ts';

export const listTags: RouteHandler<typeof r.listTags, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await tags.listTags(c.var.deps.db, actor, q.project, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createTag: RouteHandler<typeof r.createTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await tags.createTag(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const patchTag: RouteHandler<typeof r.patchTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.TagPatch, () => tags.getManageableTag(db, actor, id));
  return c.json(await tags.updateTag(db, actor, id, body), 200);
};

export const putTag: RouteHandler<typeof r.putTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.TagPut, () => tags.getManageableTag(db, actor, id));
  return c.json(await tags.updateTag(db, actor, id, body), 200);
};

export const deleteTag: RouteHandler<typeof r.deleteTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await tags.deleteTag(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
