import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as webhooks from '../../services/webhooks.ts';
import type * as r from './webhooks.routes.ts';

/** Where webhooks may point: the instance's WEBHOOK_ALLOW_PRIVATE. */
const urlPolicy = (c: Context<AppEnv>): webhooks.UrlPolicy => ({
  allowPrivate: c.var.deps.config.WEBHOOK_ALLOW_PRIVATE,
});

export const listWebhooks: RouteHandler<typeof r.listWebhooks, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await webhooks.listWebhooks(c.var.deps.db, actor, q.project, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createWebhook: RouteHandler<typeof r.createWebhook, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await webhooks.createWebhook(c.var.deps.db, actor, c.req.valid('json'), urlPolicy(c)), 201);
};

export const getWebhook: RouteHandler<typeof r.getWebhook, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await webhooks.getWebhook(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchWebhook: RouteHandler<typeof r.patchWebhook, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  return c.json(await webhooks.updateWebhook(c.var.deps.db, actor, id, c.req.valid('json'), urlPolicy(c)), 200);
};

export const deleteWebhook: RouteHandler<typeof r.deleteWebhook, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await webhooks.deleteWebhook(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const rotateSecret: RouteHandler<typeof r.rotateSecret, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await webhooks.rotateSecret(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const listDeliveries: RouteHandler<typeof r.listDeliveries, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await webhooks.listDeliveries(c.var.deps.db, actor, c.req.valid('param').id, q, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const pingWebhook: RouteHandler<typeof r.pingWebhook, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await webhooks.pingWebhook(c.var.deps.db, actor, c.req.valid('param').id), 202);
};

export const redeliver: RouteHandler<typeof r.redeliver, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await webhooks.redeliver(c.var.deps.db, actor, c.req.valid('param').id), 202);
};
