import type { RouteHandler } from '@hono/zod-openapi';
import type { Executor } from '@laneway/db/client';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { badRequest } from '../../lib/errors.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import {
  authorize,
  canEditContact,
  canSeeCompany,
  canSeeContact,
  visibleContactCompanies,
  type ActorProfile,
} from '../../policy/index.ts';
import { loadActorProfile } from '../../policy/load.ts';
import { companyExists } from '../../services/companies.ts';
import * as contacts from '../../services/contacts.ts';
import type { createContact, deleteContact, getContact, listContacts, patchContact } from './contacts.routes.ts';

/** A company a contact is put in must exist and be visible; either way an unknown one is a 400. */
async function assertCompanyReference(db: Executor, profile: ActorProfile, companyId: number | null) {
  if (companyId === null) return;
  if (!canSeeCompany(profile, companyId) || !(await companyExists(db, companyId))) {
    throw badRequest('Unknown company', { company: [`No company ${companyId}`] });
  }
}

export const listContactsHandler: RouteHandler<typeof listContacts, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const q = c.req.valid('query');
  const page = await contacts.listContacts(
    db,
    visibleContactCompanies(await loadActorProfile(db, actor)),
    { company: q.company, search: q.search },
    parseOrdering(q.ordering, contacts.CONTACT_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createContactHandler: RouteHandler<typeof createContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const body = c.req.valid('json');
  const profile = await loadActorProfile(db, actor);
  const companyId = body.company ?? null;
  await assertCompanyReference(db, profile, companyId);
  authorize(true, canEditContact(profile, companyId), 'You may not add contacts to this company');
  return c.json(contacts.serializeContact(await contacts.createContact(db, body)), 201);
};

export const getContactHandler: RouteHandler<typeof getContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const [profile, contact] = await Promise.all([loadActorProfile(db, actor), contacts.getContact(db, id)]);
  authorize(canSeeContact(profile, contact.companyId), true);
  return c.json(contacts.serializeContact(contact), 200);
};

export const patchContactHandler: RouteHandler<typeof patchContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const patch = c.req.valid('json');
  const [profile, contact] = await Promise.all([loadActorProfile(db, actor), contacts.getContact(db, id)]);
  authorize(canSeeContact(profile, contact.companyId), canEditContact(profile, contact.companyId));
  if (patch.company !== undefined && patch.company !== contact.companyId) {
    await assertCompanyReference(db, profile, patch.company);
    authorize(true, canEditContact(profile, patch.company), 'You may not move contacts to this company');
  }
  const updated = await contacts.updateContact(db, id, contact.companyId, patch);
  return c.json(contacts.serializeContact(updated), 200);
};

export const deleteContactHandler: RouteHandler<typeof deleteContact, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const [profile, contact] = await Promise.all([loadActorProfile(db, actor), contacts.getContact(db, id)]);
  authorize(canSeeContact(profile, contact.companyId), canEditContact(profile, contact.companyId));
  await contacts.deleteContact(db, id, contact.companyId);
  return c.body(null, 204);
};
