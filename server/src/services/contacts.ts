import type { Executor } from '@laneway/db/client';
import { contacts } from '@laneway/db/schema';
import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { conflict, notFound } from '../lib/errors.ts';
import { containsPattern, pageWindow, type PageParams } from '../lib/pagination.ts';

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

export async function getContact(db: Executor, id: number): Promise<ContactRow> {
  const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
  if (!row) throw notFound();
  return row;
}

export const CONTACT_ORDERING = ['name', 'created_at'] as const;
const contactOrderColumns = { name: contacts.name, created_at: contacts.createdAt };

/**
 * A page of contacts. `visibleCompanyIds` null means every contact (see `visibleContactCompanies`
 * in the policy module); otherwise only contacts of those companies, never company-less ones.
 */
export async function listContacts(
  db: Executor,
  visibleCompanyIds: number[] | null,
  filters: { company?: number | undefined; search?: string | undefined },
  ordering: { field: (typeof CONTACT_ORDERING)[number]; desc: boolean }[],
  page: PageParams,
) {
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

/** Creates a contact; the caller has checked the company exists and may hold it. */
export async function createContact(db: Executor, input: ContactInput & { name: string }): Promise<ContactRow> {
  const [row] = await db
    .insert(contacts)
    .values({ ...toValues(input), name: input.name })
    .returning();
  return row!;
}

/**
 * The company a contact was authorised under: a write applies only while the contact still
 * belongs to it, so a concurrent move cannot widen what the caller was allowed to change.
 */
const stillIn = (companyId: number | null) => sql`${contacts.companyId} is not distinct from ${companyId}`;

/** Updates a contact still in `authorisedCompanyId`; if it moved meanwhile, a 409. */
export async function updateContact(
  db: Executor,
  id: number,
  authorisedCompanyId: number | null,
  patch: ContactInput,
): Promise<ContactRow> {
  const values = toValues(patch);
  if (!Object.keys(values).length) return getContact(db, id);
  const [row] = await db
    .update(contacts)
    .set(values)
    .where(and(eq(contacts.id, id), stillIn(authorisedCompanyId)))
    .returning();
  if (!row) throw conflict('The contact was changed or removed meanwhile; reload it');
  return row;
}

/** Deletes a contact still in `authorisedCompanyId`; if it moved meanwhile, a 409. */
export async function deleteContact(db: Executor, id: number, authorisedCompanyId: number | null): Promise<void> {
  const deleted = await db
    .delete(contacts)
    .where(and(eq(contacts.id, id), stillIn(authorisedCompanyId)))
    .returning({ id: contacts.id });
  if (!deleted.length) throw conflict('The contact was changed or removed meanwhile; reload it');
}
