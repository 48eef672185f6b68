import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { badRequest } from '../../lib/errors.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as chat from '../../services/chat.ts';
import type * as r from './chat.routes.ts';

export const listRooms: RouteHandler<typeof r.listRooms, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { project, ticket, ...page } = c.req.valid('query');
  if (project !== undefined && ticket !== undefined) {
    throw badRequest('Name a project or a ticket, not both', { project: ['Give at most one of project and ticket'] });
  }
  if (ticket !== undefined) {
    const room = await chat.ticketRoom(c.var.deps.db, actor, ticket);
    return c.json(pageEnvelope(c.req.url, page, 1, [room]), 200);
  }
  const rooms = await chat.listRooms(c.var.deps.db, actor, project ?? null, page);
  return c.json(pageEnvelope(c.req.url, page, rooms.count, rooms.results), 200);
};

export const listMessages: RouteHandler<typeof r.listMessages, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const history = await chat.listMessages(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('query'));
  let next: string | null = null;
  if (history.older !== null) {
    const url = new URL(c.req.url);
    url.searchParams.set('before', String(history.older));
    next = url.toString();
  }
  return c.json({ count: history.count, next, previous: null, seq: history.seq, results: history.results }, 200);
};

export const sendMessage: RouteHandler<typeof r.sendMessage, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const sent = await chat.sendMessage(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json'));
  return c.json(sent.message, sent.created ? 201 : 200);
};
