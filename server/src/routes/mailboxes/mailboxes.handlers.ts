import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as mailboxes from '../../services/mailboxes.ts';
import type * as r from './mailboxes.routes.ts';

export const listMailboxes: RouteHandler<typeof r.listMailboxes, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await mailboxes.listMailboxes(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createMailbox: RouteHandler<typeof r.createMailbox, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, secrets } = c.var.deps;
  return c.json(await mailboxes.createMailbox(db, secrets, actor, c.req.valid('param').id, c.req.valid('json')), 201);
};

export const patchMailbox: RouteHandler<typeof r.patchMailbox, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, secrets } = c.var.deps;
  return c.json(await mailboxes.updateMailbox(db, secrets, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const deleteMailbox: RouteHandler<typeof r.deleteMailbox, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await mailboxes.deleteMailbox(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const testMailbox: RouteHandler<typeof r.testMailbox, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, secrets } = c.var.deps;
  return c.json(await mailboxes.testMailbox(db, secrets, actor, c.req.valid('param').id), 200);
};

export const listMailLog: RouteHandler<typeof r.listMailLog, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await mailboxes.listMailLog(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};
