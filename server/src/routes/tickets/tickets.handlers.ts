import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppDeps, AppEnv } from '../../deps.ts';
import type { Actor } from '../../lib/actor.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import { fieldParams } from '../../services/fields.ts';
import * as moves from '../../services/ticket-moves.ts';
import * as writes from '../../services/ticket-writes.ts';
import { resolveTicketKeys as resolveKeys } from '../../services/ticket-keys.ts';
import * as tickets from '../../services/tickets.ts';
import { dropUnchanged } from '../compat.ts';
import * as r from './tickets.routes.ts';

export const listTickets: RouteHandler<typeof r.listTickets, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { page, page_size, ordering, ...filters } = c.req.valid('query');
  const fields = fieldParams(c.req.query());
  const result = await tickets.listTickets(c.var.deps.db, actor, { ...filters, fields }, ordering, {
    page,
    page_size,
  });
  return c.json(pageEnvelope(c.req.url, { page, page_size }, result.count, result.results), 200);
};

export const createTicket: RouteHandler<typeof r.createTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await writes.createTicket(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const resolveTicketKeys: RouteHandler<typeof r.resolveTicketKeys, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await resolveKeys(c.var.deps.db, actor, c.req.valid('query').keys), 200);
};

export const getTicket: RouteHandler<typeof r.getTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await tickets.getTicketWithSeq(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchTicket: RouteHandler<typeof r.patchTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.TicketPatch, () => loadTicket(db, actor, id));
  return c.json(await writes.updateTicket(db, actor, id, body), 200);
};

const loadTicket = async (db: AppDeps['db'], actor: Actor, id: number) =>
  tickets.serializeTicket((await tickets.requireTicket(db, actor, id)).ticket);

export const putTicket: RouteHandler<typeof r.putTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.TicketPut, () => loadTicket(db, actor, id));
  return c.json(await writes.updateTicket(db, actor, id, body), 200);
};

export const deleteTicket: RouteHandler<typeof r.deleteTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await writes.deleteTicket(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const moveTicket: RouteHandler<typeof r.moveTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await moves.moveTicket(c.var.deps.db, actor, c.req.valid('param').id, c.req.valid('json')), 200);
};

export const closeTicket: RouteHandler<typeof r.closeTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await moves.setTicketClosed(c.var.deps.db, actor, c.req.valid('param').id, true), 200);
};

export const reopenTicket: RouteHandler<typeof r.reopenTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await moves.setTicketClosed(c.var.deps.db, actor, c.req.valid('param').id, false), 200);
};

export const archiveTicket: RouteHandler<typeof r.archiveTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const ticket = await writes.setArchived(c.var.deps.db, actor, c.req.valid('param').id, true);
  return c.json({ status: 'archived' as const, ticket }, 200);
};

export const unarchiveTicket: RouteHandler<typeof r.unarchiveTicket, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const ticket = await writes.setArchived(c.var.deps.db, actor, c.req.valid('param').id, false);
  return c.json({ status: 'unarchived' as const, ticket }, 200);
};
