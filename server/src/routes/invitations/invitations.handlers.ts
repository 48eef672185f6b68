import type { RouteHandler } from '@hono/zod-openapi';
import { clientIp, lifetimes, ownOrigin, requireAuth } from '../../auth/middleware.ts';
import { instanceKey } from '../../auth/secret-key.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as invitations from '../../services/invitations.ts';
import { serializeUser } from '../../services/users.ts';
import { setSessionCookie } from '../auth/auth.handlers.ts';
import type * as r from './invitations.routes.ts';

export const createInvitation: RouteHandler<typeof r.createInvitation, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const created = await invitations.createInvitation(db, actor, c.req.valid('json'), {
    ttlHours: config.INVITATION_TTL_HOURS,
    baseUrl: ownOrigin(c),
    key: await instanceKey(config, 'mail'),
    smtp: Boolean(config.SMTP_URL),
  });
  return c.json(created, 201);
};

export const listInvitations: RouteHandler<typeof r.listInvitations, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const query = c.req.valid('query');
  const found = await invitations.listInvitations(c.var.deps.db, actor, query);
  return c.json(pageEnvelope(c.req.url, query, found.count, found.results), 200);
};

export const revokeInvitation: RouteHandler<typeof r.revokeInvitation, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await invitations.revokeInvitation(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const previewInvitation: RouteHandler<typeof r.previewInvitation, AppEnv> = async (c) =>
  c.json(await invitations.previewInvitation(c.var.deps.db, c.req.valid('param').token), 200);

export const acceptInvitation: RouteHandler<typeof r.acceptInvitation, AppEnv> = async (c) => {
  const { db, config } = c.var.deps;
  const { tokens, user } = await invitations.acceptInvitation(
    db,
    c.req.valid('param').token,
    c.req.valid('json'),
    lifetimes(config),
    { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null },
  );
  setSessionCookie(c, tokens);
  return c.json({ access: tokens.access, refresh: tokens.refresh, user: serializeUser(user) }, 201);
};
