import type { RouteHandler } from '@hono/zod-openapi';
import type { Db } from '@laneway/db/client';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import type { Actor } from '../../lib/actor.ts';
import { pageEnvelope, pageOfArray } from '../../lib/pagination.ts';
import { authorize, canManageProject } from '../../policy/index.ts';
import { requireProjectAccess } from '../../services/projects.ts';
import * as tags from '../../services/tags.ts';
import type * as r from './tags.routes.ts';

async function manageableTag(db: Db, actor: Actor, id: number) {
  const tag = await tags.getTag(db, id);
  authorize(true, canManageProject(await requireProjectAccess(db, actor, tag.projectId)));
  return tag;
}

export const listTags: RouteHandler<typeof r.listTags, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const q = c.req.valid('query');
  const access = await requireProjectAccess(db, actor, q.project);
  const page = pageOfArray((await tags.listTags(db, access.projectId)).map(tags.serializeTag), q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createTag: RouteHandler<typeof r.createTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { project, ...body } = c.req.valid('json');
  const access = await requireProjectAccess(db, actor, project);
  authorize(true, canManageProject(access));
  return c.json(await tags.createTag(db, actor, access.projectId, body), 201);
};

export const patchTag: RouteHandler<typeof r.patchTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const tag = await manageableTag(db, actor, c.req.valid('param').id);
  return c.json(await tags.updateTag(db, actor, tag, c.req.valid('json')), 200);
};

export const deleteTag: RouteHandler<typeof r.deleteTag, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const tag = await manageableTag(db, actor, c.req.valid('param').id);
  await tags.deleteTag(db, actor, tag);
  return c.body(null, 204);
};
