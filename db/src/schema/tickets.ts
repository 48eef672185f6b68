import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, id, orderKey, ts } from './_columns.ts';
import { users } from './auth.ts';
import { companies, contacts } from './orgs.ts';
import { columnCategory, columns, priorities, projects, tags } from './projects.ts';

/** Where a ticket came from: the app or API, or a mail to one of the project's mailboxes. */
export const ticketSource = pgEnum('ticket_source', ['web', 'email']);

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    columnId: integer('column_id')
      .notNull()
      // NO ACTION, not RESTRICT: deleting a project cascades to its columns and tickets in one
      // statement, and NO ACTION checks only at its end. Deleting a non-empty column alone fails.
      .references(() => columns.id, { onDelete: 'no action' }),
    position: orderKey('position').notNull(),
    priorityId: integer('priority_id')
      .notNull()
      .default(2)
      .references(() => priorities.id),
    companyId: integer('company_id').references(() => companies.id, { onDelete: 'set null' }),
    contactId: integer('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    dueAt: ts('due_at'),
    status: columnCategory('status').notNull(),
    doneAt: ts('done_at'),
    isArchived: boolean('is_archived').notNull().default(false),
    archivedAt: ts('archived_at'),
    version: integer('version').notNull().default(1),
    /**
     * Custom field values, keyed by the field's id (decision 0027): `{"12": 3, "13": "text"}`.
     * Only fields of the ticket's project; a field without a value has no key.
     */
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull().default({}),
    source: ticketSource('source').notNull().default('web'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_project_number_uq').on(t.projectId, t.number),
    // Card order within a column; uniqueness is what turns two racing drops into a retry.
    uniqueIndex('tickets_column_position_uq').on(t.columnId, t.position),
    // Default list ordering and ?ordering=created_at within a project.
    index('tickets_project_created_idx').on(t.projectId, t.createdAt),
    // ?ordering=updated_at.
    index('tickets_project_updated_idx').on(t.projectId, t.updatedAt),
    // ?status= and ?is_archived= filters scan within a project.
    index('tickets_project_status_idx').on(t.projectId, t.isArchived, t.status),
    // ?priority_id= filter and ordering.
    index('tickets_project_priority_idx').on(t.projectId, t.priorityId),
    // ?due_at ordering; partial because most tickets have no due date.
    index('tickets_project_due_idx')
      .on(t.projectId, t.dueAt)
      .where(sql`${t.dueAt} is not null`),
    // Company people only ever see their company's tickets: ?company= and scoping.
    index('tickets_company_idx').on(t.companyId, t.projectId),
    // `field_<id>=` filters: containment (`fields @> '{"12": 3}'`) for every exact-match type.
    // jsonb_path_ops is a third of the default opclass's size and serves only @>, all we ask of it.
    index('tickets_fields_gin').using('gin', sql`${t.fields} jsonb_path_ops`),
    // The archiving job looks for done tickets past the threshold.
    index('tickets_done_at_idx')
      .on(t.doneAt)
      .where(sql`${t.isArchived} = false and ${t.doneAt} is not null`),
  ],
);

export const ticketAssignees = pgTable(
  'ticket_assignees',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.userId] }),
    // ?assignee= filter and "my tickets".
    index('ticket_assignees_user_idx').on(t.userId),
  ],
);

export const ticketTags = pgTable(
  'ticket_tags',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.tagId] }),
    // ?tag= filter.
    index('ticket_tags_tag_idx').on(t.tagId),
  ],
);

export const relationKind = pgEnum('relation_kind', ['relates', 'blocks', 'duplicates']);

/**
 * A link between two tickets (SPEC §14), stored once in its active direction: `from` blocks /
 * duplicates / relates to `to`; the inverse (blocked by, duplicated by) is the same row read from
 * the other end. The tickets may be in different projects.
 */
export const ticketRelations = pgTable(
  'ticket_relations',
  {
    id: id(),
    fromTicketId: integer('from_ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    toTicketId: integer('to_ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: relationKind('kind').notNull(),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    // One link of a kind between two tickets; also the lookup from the `from` end.
    uniqueIndex('ticket_relations_uq').on(t.fromTicketId, t.toTicketId, t.kind),
    // The lookup from the `to` end: "blocked by", and `blocked` on every ticket read.
    index('ticket_relations_to_idx').on(t.toTicketId, t.kind),
    check('ticket_relations_not_self', sql`${t.fromTicketId} <> ${t.toTicketId}`),
  ],
);

/** A ticket's checklist (SPEC §14): items in order, each done or not. */
export const checklistItems = pgTable(
  'checklist_items',
  {
    id: id(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    done: boolean('done').notNull().default(false),
    position: orderKey('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // A ticket's items in order; also what the ticket's {done, total} count walks.
    uniqueIndex('checklist_items_ticket_position_uq').on(t.ticketId, t.position),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: id(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    parentId: integer('parent_id'),
    body: text('body').notNull(),
    /** A staff-only note (SPEC §4): company people never see it nor its replies (replies inherit it). */
    internal: boolean('internal').notNull().default(false),
    createdAt: createdAt(),
    editedAt: ts('edited_at'),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('comments_ticket_idx').on(t.ticketId, t.createdAt)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    uploaderId: integer('uploader_id').references(() => users.id, { onDelete: 'set null' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_ticket_idx').on(t.ticketId)],
);

/** Append-only audit trail: one row for every change, written in the change's transaction. */
export const activity = pgTable(
  'activity',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    verb: text('verb').notNull(),
    data: jsonb('data').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    // A ticket's activity tab, newest first.
    index('activity_ticket_idx').on(t.ticketId, t.id),
    index('activity_project_idx').on(t.projectId, t.id),
  ],
);
