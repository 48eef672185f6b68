import { accessChanged, transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { companies, companyAdmins, companyUsers, users } from '@laneway/db/schema';
import { and, asc, desc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { assertAllFound } from '../lib/refs.ts';
import { pgArray } from '../lib/sql-array.ts';
import { containsPattern, pageWindow, type PageParams } from '../lib/pagination.ts';
import { authorize, canManageCompanies, canSeeCompany, canUpdateCompany, visibleCompanies } from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';

/** A company row with its people, as one query reads it. */
const companyFields = {
  id: companies.id,
  name: companies.name,
  slug: companies.slug,
  domains: companies.domains,
  createdAt: companies.createdAt,
  admins: sql<number[]>`coalesce((select array_agg(ca.user_id order by ca.user_id) from company_admins ca
    where ca.company_id = ${companies.id}), '{}'::int[])`,
  users: sql<number[]>`coalesce((select array_agg(cu.user_id order by cu.user_id) from company_users cu
    where cu.company_id = ${companies.id}), '{}'::int[])`,
};

export interface CompanyRow {
  id: number;
  name: string;
  slug: string;
  domains: string[];
  createdAt: Date;
  admins: number[];
  users: number[];
}

/** A company as the API shows it: people as sorted user id lists. */
export function serializeCompany(c: CompanyRow) {
  return {
    id: c.id,
    name: c.name,
    slug: c.slug,
    domains: c.domains,
    admins: c.admins,
    users: c.users,
    created_at: c.createdAt.toISOString(),
  };
}
export type CompanyJson = ReturnType<typeof serializeCompany>;

/**
 * A URL-safe slug from a name: lowercase, every run of other characters one `-`.
 *
 * @example slugify('Acme & Sons, Ltd.') // 'acme-sons-ltd'
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

async function loadCompany(db: Executor, id: number): Promise<CompanyRow> {
  const [row] = await db.select(companyFields).from(companies).where(eq(companies.id, id));
  if (!row) throw notFound();
  return row;
}

/** A company the actor can see (staff, its people), or 404. */
export async function getCompany(db: Executor, actor: Actor, id: number): Promise<CompanyJson> {
  authorize(canSeeCompany(await loadActorProfile(db, actor), id), true);
  return serializeCompany(await loadCompany(db, id));
}

export const COMPANY_ORDERING = ['name', 'created_at'] as const;
const companyOrderColumns = { name: companies.name, created_at: companies.createdAt };

/** A page of the companies the actor can see (`visibleCompanies` in the policy module). */
export async function listCompanies(
  db: Executor,
  actor: Actor,
  filters: { search?: string | undefined },
  ordering: { field: (typeof COMPANY_ORDERING)[number]; desc: boolean }[],
  page: PageParams,
) {
  const visibleIds = visibleCompanies(await loadActorProfile(db, actor));
  const where: SQL[] = [];
  if (visibleIds !== null) where.push(inArray(companies.id, visibleIds));
  if (filters.search) {
    const q = containsPattern(filters.search);
    where.push(or(ilike(companies.name, q), ilike(companies.slug, q))!);
  }
  const order = ordering.map((o) => (o.desc ? desc(companyOrderColumns[o.field]) : asc(companyOrderColumns[o.field])));
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ ...companyFields, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(companies)
    .where(and(...where))
    .orderBy(...order, asc(companies.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map(serializeCompany) };
}

/** Every id in `ids` must be a user; unknown ones are a 400 naming the field. */
async function assertUsersExist(db: Executor, field: string, ids: number[]) {
  if (!ids.length) return;
  const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, ids));
  assertAllFound(ids, found, field, 'Unknown users', (id) => `No user ${id}`);
}

/**
 * A company admin's `users` list may only keep people who already belong to the company (as
 * user or admin; invitations add new ones): pulling in another client's people or the
 * superuser is refused (issue 14 row 8). An id that belongs elsewhere gets the same 400 as
 * one that does not exist, so the answer says nothing about which ids exist.
 */
async function assertAlreadyBelong(db: Executor, companyId: number, ids: number[]) {
  if (!ids.length) return;
  const found = await db.execute<{ id: number }>(sql`
    select user_id as id from company_users where company_id = ${companyId} and user_id = any(${pgArray(ids, 'int')})
    union select user_id from company_admins where company_id = ${companyId} and user_id = any(${pgArray(ids, 'int')})`);
  assertAllFound(ids, [...found], 'users', 'Unknown users', (id) => `No user ${id}`);
}

async function assertSlugFree(db: Executor, slug: string, exceptId?: number) {
  const [row] = await db
    .select({ id: companies.id })
    .from(companies)
    .where(
      exceptId === undefined ? eq(companies.slug, slug) : and(eq(companies.slug, slug), ne(companies.id, exceptId)),
    );
  if (row) throw conflict('A company with this slug already exists', { slug: ['Taken'] });
}

const unique = <T>(values: T[]) => [...new Set(values)];

/**
 * Replaces a company's admins or users with `ids` (already checked to exist). Whoever joins or
 * leaves may see other tickets now: their open sockets re-check their subscriptions.
 */
async function replacePeople(
  db: Executor,
  table: typeof companyAdmins | typeof companyUsers,
  companyId: number,
  ids: number[],
) {
  const before = (await db.delete(table).where(eq(table.companyId, companyId)).returning({ userId: table.userId })).map(
    (r) => r.userId,
  );
  if (ids.length) await db.insert(table).values(ids.map((userId) => ({ companyId, userId })));
  accessChanged([...before.filter((u) => !ids.includes(u)), ...ids.filter((u) => !before.includes(u))]);
}

/** Everyone tied to these companies, as admin or user. */
export async function companyPeople(db: Executor, companyIds: number[]): Promise<number[]> {
  if (!companyIds.length) return [];
  const rows = await db.execute<{ user_id: number }>(sql`
    select user_id from company_admins where company_id = any(${pgArray(companyIds, 'int')})
    union select user_id from company_users where company_id = any(${pgArray(companyIds, 'int')})`);
  return rows.map((r) => r.user_id);
}

/**
 * Refuses (409, naming the domain) a domain another company holds. Every write of `domains`
 * takes one transaction-scoped advisory lock first: an array cannot carry a unique index, and
 * two companies claiming one domain at once must not both pass the check.
 */
async function assertDomainsFree(db: Executor, domains: string[], exceptId?: number) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('laneway:company_domains'))`);
  if (!domains.length) return;
  const rows = await db
    .select({ name: companies.name, domains: companies.domains })
    .from(companies)
    .where(
      and(
        sql`${companies.domains} && ${pgArray(domains, 'text')}`,
        exceptId === undefined ? undefined : ne(companies.id, exceptId),
      ),
    );
  const taken = domains.filter((d) => rows.some((r) => r.domains.includes(d)));
  if (taken.length) {
    throw conflict('A domain belongs to another company', {
      domains: taken.map((d) => `${d} belongs to ${rows.find((r) => r.domains.includes(d))!.name}`),
    });
  }
}

/** The company whose `domains` hold this address's domain, for contacts made from mail. */
export async function companyForEmail(db: Executor, email: string): Promise<number | null> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!domain) return null;
  const [row] = await db
    .select({ id: companies.id })
    .from(companies)
    .where(sql`${companies.domains} @> ${pgArray([domain], 'text')}`)
    .limit(1);
  return row?.id ?? null;
}

export interface NewCompany {
  name: string;
  slug?: string | undefined;
  domains?: string[] | undefined;
  admins?: number[] | undefined;
  users?: number[] | undefined;
}

/**
 * Creates a company and its people in one transaction, as the instance superuser (else 403);
 * the slug defaults to the name's.
 */
export async function createCompany(db: Db, actor: Actor, input: NewCompany): Promise<CompanyJson> {
  authorize(true, canManageCompanies(actor));
  const slug = input.slug ?? slugify(input.name);
  if (!slug) throw badRequest('Invalid input', { slug: ['Cannot be derived from this name; give a slug'] });
  const admins = unique(input.admins ?? []);
  const people = unique(input.users ?? []);
  return transact(db, async (tx) => {
    await assertUsersExist(tx, 'admins', admins);
    await assertUsersExist(tx, 'users', people);
    await assertSlugFree(tx, slug);
    const domains = unique(input.domains ?? []);
    await assertDomainsFree(tx, domains);
    const [row] = await tx
      .insert(companies)
      .values({ name: input.name, slug, domains })
      .returning({ id: companies.id });
    await replacePeople(tx, companyAdmins, row!.id, admins);
    await replacePeople(tx, companyUsers, row!.id, people);
    return serializeCompany(await loadCompany(tx, row!.id));
  });
}

export interface CompanyPatch {
  name?: string | undefined;
  slug?: string | undefined;
  domains?: string[] | undefined;
  admins?: number[] | undefined;
  users?: number[] | undefined;
}

/**
 * Updates a company; `admins` and `users`, when given, replace the whole list. Superusers change
 * anything, its company admins only `users` (403), others who cannot see it get a 404. The row
 * is locked first so two concurrent edits of the people lists apply one after the other, never
 * interleaved. Renaming keeps the slug: it may be in bookmarked URLs.
 */
export async function updateCompany(db: Db, actor: Actor, id: number, patch: CompanyPatch): Promise<CompanyJson> {
  const profile = await loadActorProfile(db, actor);
  const fields = Object.keys(patch).filter((k) => patch[k as keyof CompanyPatch] !== undefined);
  authorize(
    canSeeCompany(profile, id),
    canUpdateCompany(profile, id, fields),
    "Only an instance superuser may change a company's name, slug or admins",
  );
  return transact(db, async (tx) => {
    const [current] = await tx.select({ id: companies.id }).from(companies).where(eq(companies.id, id)).for('update');
    if (!current) throw notFound();
    const values: Partial<typeof companies.$inferInsert> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.slug !== undefined) {
      await assertSlugFree(tx, patch.slug, id);
      values.slug = patch.slug;
    }
    if (patch.domains !== undefined) {
      values.domains = unique(patch.domains);
      await assertDomainsFree(tx, values.domains, id);
    }
    if (Object.keys(values).length) await tx.update(companies).set(values).where(eq(companies.id, id));
    if (patch.admins !== undefined) {
      const admins = unique(patch.admins);
      await assertUsersExist(tx, 'admins', admins);
      await replacePeople(tx, companyAdmins, id, admins);
    }
    if (patch.users !== undefined) {
      const people = unique(patch.users);
      if (canManageCompanies(actor)) await assertUsersExist(tx, 'users', people);
      else await assertAlreadyBelong(tx, id, people);
      await replacePeople(tx, companyUsers, id, people);
    }
    return serializeCompany(await loadCompany(tx, id));
  });
}

/**
 * Deletes a company, as the instance superuser (403; 404 for those who cannot see it); its
 * people links and project links go with it, contacts and tickets keep no company.
 */
export async function deleteCompany(db: Db, actor: Actor, id: number): Promise<void> {
  authorize(canSeeCompany(await loadActorProfile(db, actor), id), canManageCompanies(actor));
  await transact(db, async (tx) => {
    const people = await companyPeople(tx, [id]);
    const deleted = await tx.delete(companies).where(eq(companies.id, id)).returning({ id: companies.id });
    if (!deleted.length) throw notFound();
    accessChanged(people);
  });
}

/** Whether a company exists, for references from other resources (contacts). */
export async function companyExists(db: Executor, id: number): Promise<boolean> {
  const [row] = await db.select({ id: companies.id }).from(companies).where(eq(companies.id, id));
  return row !== undefined;
}
