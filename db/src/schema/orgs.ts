import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id } from './_columns.ts';
import { users } from './auth.ts';

/** A client organisation. Its admins manage its people; they are not project admins. */
export const companies = pgTable(
  'companies',
  {
    id: id(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    /**
     * Mail domains of the company (lower case, no `@`): a new sender from one of them becomes a
     * contact of this company; single sign-on uses them too. A domain belongs to one company at
     * most, which services/companies.ts checks under a lock (an array cannot carry a unique index).
     */
    domains: text('domains')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('companies_slug_uq').on(t.slug),
    // "Which company holds this domain": contact intake and the uniqueness check.
    index('companies_domains_gin').using('gin', t.domains),
  ],
);

export const companyAdmins = pgTable(
  'company_admins',
  {
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.userId] }),
    // Policy looks up "which companies is this user in" on every scoped request.
    index('company_admins_user_idx').on(t.userId),
  ],
);

export const companyUsers = pgTable(
  'company_users',
  {
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.userId] }), index('company_users_user_idx').on(t.userId)],
);

/** People at client companies who are not users of Laneway. */
export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    companyId: integer('company_id').references(() => companies.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    email: text('email').notNull().default(''),
    phone: text('phone').notNull().default(''),
    notes: text('notes').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    // Company people list only their own company's contacts.
    index('contacts_company_idx').on(t.companyId),
  ],
);
