import { boolean, index, integer, jsonb, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { users } from './auth.ts';
import { projects } from './projects.ts';

/** What an import reads: a Trello board's JSON, a spreadsheet's CSV, or Laneway's own export. */
export const importSource = pgEnum('import_source', ['trello', 'csv', 'laneway']);
export const importStatus = pgEnum('import_status', ['queued', 'running', 'done', 'failed']);

/**
 * One project import, run by the `import_project` job (decision 0045). `project_id` is set in
 * the same transaction that creates the project, so a retried job that finds it set has nothing
 * left to do: an import creates its project once or not at all. An import into an existing
 * project (`into_existing`, decision 0054) names its project from the start; `status = done`,
 * written in the transaction that adds the tickets, is what a retried job finds instead.
 */
export const imports = pgTable(
  'imports',
  {
    id: id(),
    source: importSource('source').notNull(),
    status: importStatus('status').notNull().default('queued'),
    /** 0..100, written outside the import's transaction so the page can show it. */
    progress: integer('progress').notNull().default(0),
    /** What was created (counts) and what could not be carried over (warnings). */
    report: jsonb('report').$type<{ created: Record<string, number>; warnings: string[] }>(),
    error: text('error'),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'cascade' }),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'set null' }),
    /** Adds to `project_id` (the superuser's import into an existing project) instead of creating one. */
    intoExisting: boolean('into_existing').notNull().default(false),
    /** The uploaded file under UPLOAD_DIR/imports/ (a UUID name), removed once the import ends. */
    fileKey: text('file_key').notNull(),
    filename: text('filename').notNull(),
    /** The CSV column mapping, the Trello column categories, the project's name and key. */
    mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('imports_created_by_idx').on(t.createdBy, t.id)],
);
