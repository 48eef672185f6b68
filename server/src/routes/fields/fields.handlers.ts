import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as fields from '../../services/fields.ts';
import type * as r from './fields.routes.ts';

export const listFields: RouteHandler<typeof r.listFields, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await fields.listFields(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createField: RouteHandler<typeof r.createField, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await fields.createField(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchField: RouteHandler<typeof r.patchField, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await fields.updateField(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteField: RouteHandler<typeof r.deleteField, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await fields.deleteField(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const moveField: RouteHandler<typeof r.moveField, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await fields.moveField(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};
