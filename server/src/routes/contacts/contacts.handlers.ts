import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import * as contacts from '../../services/contacts.ts';
import { dropUnchanged } from '../compat.ts';
import {
  ContactPatch,
  ContactPut,
  type createContact,
  type deleteContact,
  type getContact,
  type listContacts,
  type patchContact,
  type putContact,
} from './contacts.routes.ts';

export const listContactsHandler: RouteHandler<typeof listContacts, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await contacts.listContacts(
    c.var.deps.db,
    actor,
    { company: q.company, search: q.search },
    parseOrdering(q.ordering, contacts.CONTACT_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createContactHandler: RouteHandler<typeof createContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await contacts.createContact(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const getContactHandler: RouteHandler<typeof getContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await contacts.getContact(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchContactHandler: RouteHandler<typeof patchContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), ContactPatch, () => contacts.getContact(db, actor, id));
  return c.json(await contacts.updateContact(db, actor, id, body), 200);
};

export const putContactHandler: RouteHandler<typeof putContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), ContactPut, () => contacts.getContact(db, actor, id));
  return c.json(await contacts.updateContact(db, actor, id, body), 200);
};

export const deleteContactHandler: RouteHandler<typeof deleteContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await contacts.deleteContact(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
