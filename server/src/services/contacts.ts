import type { Executor } from '@laneway/db/client';
import { contacts } from '@laneway/db/schema';
import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { containsPattern, pageWindow, type PageParams } from '../lib/pagination.ts';
import {
  authorize,
  canEditContact,
  canSeeCompany,
  canSeeContact,
  visibleContactCompanies,
  type ActorProfile,
} from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';
import { companyExists } from './companies.ts';

export type ContactRow = typeof contacts.$inferSelect;

/** A contact as the API shows it; the company foreign key is named `company`. */
export function serializeContact(c: ContactRow) {
  return {
    id: c.id,
    company: c.companyId,
    name: c.name,
    email: c.email,
    phone: c.phone,
    notes: c.notes,
    created_at: c.createdAt.toISOString(),
  };
}
export type ContactJson = ReturnType<typeof serializeContact>;

async function loadContact(db: Executor, id: number): Promise<ContactRow> {
  const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
  if (!row) throw notFound();
  return row;
}

/** A contact the actor can see (else 404), with the actor's profile for further decisions. */
async function visibleContact(db: Executor, actor: Actor, id: number) {
  const [profile, contact] = await Promise.all([loadActorProfile(db, actor), loadContact(db, id)]);
  authorize(canSeeContact(profile, contact.companyId), true);
  return { profile, contact };
}

/** A company a contact is put in must exist and be visible; either way an unknown one is a 400. */
async function assertCompanyReference(db: Executor, profile: ActorProfile, companyId: number | null) {
  if (companyId === null) return;
  if (!canSeeCompany(profile, companyId) || !(await companyExists(db, companyId))) {
    throw badRequest('Unknown company', { company: [`No company ${companyId}`] });
  }
}

/** A contact the actor can see, or 404. */
export async function getContact(db: Executor, actor: Actor, id: number): Promise<ContactJson> {
  return serializeContact((await visibleContact(db, actor, id)).contact);
}

export const CONTACT_ORDERING = ['name', 'created_at'] as const;
const contactOrderColumns = { name: contacts.name, created_at: contacts.createdAt };

/**
 * A page of the contacts the actor can see: staff see every contact, company people only their
 * companies' (`visibleContactCompanies` in the policy module), never company-less ones.
 */
export async function listContacts(
  db: Executor,
  actor: Actor,
  filters: { company?: number | undefined; search?: string | undefined },
  ordering: { field: (typeof CONTACT_ORDERING)[number]; desc: boolean }[],
  page: PageParams,
) {
  const visibleCompanyIds = visibleContactCompanies(await loadActorProfile(db, actor));
  const where: SQL[] = [];
  if (visibleCompanyIds !== null) where.push(inArray(contacts.companyId, visibleCompanyIds));
  if (filters.company !== undefined) where.push(eq(contacts.companyId, filters.company));
  if (filters.search) {
    const q = containsPattern(filters.search);
    where.push(or(ilike(contacts.name, q), ilike(contacts.email, q), ilike(contacts.phone, q))!);
  }
  const order = ordering.map((o) => (o.desc ? desc(contactOrderColumns[o.field]) : asc(contactOrderColumns[o.field])));
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ contact: contacts, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(contacts)
    .where(and(...where))
    .orderBy(...order, asc(contacts.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeContact(r.contact)) };
}

export interface ContactInput {
  company?: number | null | undefined;
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  notes?: string | undefined;
}

function toValues(input: ContactInput): Partial<typeof contacts.$inferInsert> {
  const values: Partial<typeof contacts.$inferInsert> = {};
  if (input.company !== undefined) values.companyId = input.company;
  if (input.name !== undefined) values.name = input.name;
  if (input.email !== undefined) values.email = input.email;
  if (input.phone !== undefined) values.phone = input.phone;
  if (input.notes !== undefined) values.notes = input.notes;
  return values;
}

/** Creates a contact in a company that exists, that the actor sees (else 400) and may edit contacts of (403). */
export async function createContact(
  db: Executor,
  actor: Actor,
  input: ContactInput & { name: string },
): Promise<ContactJson> {
  const profile = await loadActorProfile(db, actor);
  const companyId = input.company ?? null;
  await assertCompanyReference(db, profile, companyId);
  authorize(true, canEditContact(profile, companyId), 'You may not add contacts to this company');
  const [row] = await db
    .insert(contacts)
    .values({ ...toValues(input), name: input.name })
    .returning();
  return serializeContact(row!);
}

/**
 * The company a contact was authorised under: a write applies only while the contact still
 * belongs to it, so a concurrent move cannot widen what the caller was allowed to change.
 */
const stillIn = (companyId: number | null) => sql`${contacts.companyId} is not distinct from ${companyId}`;

/**
 * Updates a contact the actor may edit (404 / 403), moving it only to a company they may edit
 * contacts of; if it moved meanwhile, a 409.
 */
export async function updateContact(db: Executor, actor: Actor, id: number, patch: ContactInput): Promise<ContactJson> {
  const { profile, contact } = await visibleContact(db, actor, id);
  authorize(true, canEditContact(profile, contact.companyId));
  if (patch.company !== undefined && patch.company !== contact.companyId) {
    await assertCompanyReference(db, profile, patch.company);
    authorize(true, canEditContact(profile, patch.company), 'You may not move contacts to this company');
  }
  const values = toValues(patch);
  if (!Object.keys(values).length) return serializeContact(await loadContact(db, id));
  const [row] = await db
    .update(contacts)
    .set(values)
    .where(and(eq(contacts.id, id), stillIn(contact.companyId)))
    .returning();
  if (!row) throw conflict('The contact was changed or removed meanwhile; reload it');
  return serializeContact(row);
}

/** Deletes a contact the actor may edit (404 / 403); if it moved meanwhile, a 409. */
export async function deleteContact(db: Executor, actor: Actor, id: number): Promise<void> {
  const { profile, contact } = await visibleContact(db, actor, id);
  authorize(true, canEditContact(profile, contact.companyId));
  const deleted = await db
    .delete(contacts)
    .where(and(eq(contacts.id, id), stillIn(contact.companyId)))
    .returning({ id: contacts.id });
  if (!deleted.length) throw conflict('The contact was changed or removed meanwhile; reload it');
}
