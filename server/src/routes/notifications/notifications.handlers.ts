import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as notifications from '../../services/notifications.ts';
import type * as r from './notifications.routes.ts';

export const listNotifications: RouteHandler<typeof r.listNotifications, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { unread, ...page } = c.req.valid('query');
  const found = await notifications.listNotifications(c.var.deps.db, actor, unread ?? false, page);
  return c.json({ ...pageEnvelope(c.req.url, page, found.count, found.results), seq: found.seq }, 200);
};

export const readNotification: RouteHandler<typeof r.readNotification, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await notifications.readNotification(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const getPreferences: RouteHandler<typeof r.getPreferences, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const preferences = await notifications.getPreferences(c.var.deps.db, actor);
  return c.json({ preferences, mail_configured: Boolean(c.var.deps.config.SMTP_URL) }, 200);
};

export const patchPreferences: RouteHandler<typeof r.patchPreferences, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const preferences = await notifications.updatePreferences(c.var.deps.db, actor, c.req.valid('json').preferences);
  return c.json({ preferences, mail_configured: Boolean(c.var.deps.config.SMTP_URL) }, 200);
};

export const readAllNotifications: RouteHandler<typeof r.readAllNotifications, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await notifications.readAllNotifications(c.var.deps.db, actor), 200);
};
