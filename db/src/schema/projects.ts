import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, id, orderKey } from './_columns.ts';
import { users } from './auth.ts';
import { companies } from './orgs.ts';

export const projectRole = pgEnum('project_role', ['superadmin', 'admin', 'manager', 'user']);
export const columnCategory = pgEnum('column_category', ['todo', 'in_progress', 'done']);
/** A column's kind; a ticket's status is its column's. */
export type ColumnCategory = (typeof columnCategory.enumValues)[number];

export const projects = pgTable(
  'projects',
  {
    id: id(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    description: text('description').notNull().default(''),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Last ticket number handed out; bumped under the project row lock on create. */
    ticketSeq: integer('ticket_seq').notNull().default(0),
    /** Overrides TICKET_ARCHIVE_AFTER_HOURS for this project when set. */
    archiveAfterHours: integer('archive_after_hours'),
  },
  (t) => [uniqueIndex('projects_key_uq').on(sql`upper(${t.key})`)],
);

export const userRoles = pgTable(
  'user_roles',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: projectRole('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.userId] }),
    // The project list starts from "projects where I am a member".
    index('user_roles_user_idx').on(t.userId),
  ],
);

export const projectCompanies = pgTable(
  'project_companies',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.companyId] }),
    // Company people find their projects through their companies.
    index('project_companies_company_idx').on(t.companyId),
  ],
);

export const columns = pgTable(
  'columns',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    category: columnCategory('category').notNull().default('todo'),
    wipLimit: integer('wip_limit'),
    position: orderKey('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Board order; also makes two columns at one key impossible.
    uniqueIndex('columns_project_position_uq').on(t.projectId, t.position),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    colour: text('colour').notNull().default('#64748b'),
  },
  (t) => [uniqueIndex('tags_project_name_uq').on(t.projectId, sql`lower(${t.name})`)],
);

/** Fixed rows 1..4 (Low, Medium, High, Urgent), seeded by the first migration. */
export const priorities = pgTable('priorities', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  colour: text('colour').notNull(),
});

export const fieldType = pgEnum('field_type', [
  'text',
  'number',
  'date',
  'select',
  'multi_select',
  'checkbox',
  'user',
  'url',
]);
/** A custom field's kind: what its values are (SPEC §14). */
export type FieldType = (typeof fieldType.enumValues)[number];

/**
 * Option ids come from one sequence for every field, so an id is never reused (a stale client's
 * removed option cannot come back meaning another) and an option of another field is simply not
 * one of this field's.
 */
export const fieldOptionIds = pgSequence('field_option_ids');

/** One choice of a select or multi-select field. */
export interface FieldOption {
  id: number;
  label: string;
  colour: string | null;
}

/** A project's custom field; ticket values live in `tickets.fields` under its id (decision 0027). */
export const customFields = pgTable(
  'custom_fields',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: fieldType('type').notNull(),
    options: jsonb('options').$type<FieldOption[]>().notNull().default([]),
    required: boolean('required').notNull().default(false),
    showOnCard: boolean('show_on_card').notNull().default(false),
    position: orderKey('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Display order; also makes two fields at one key impossible (a racing move retries).
    uniqueIndex('custom_fields_project_position_uq').on(t.projectId, t.position),
  ],
);
