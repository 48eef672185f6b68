import { z } from '@hono/zod-openapi';

/** An import as GET /imports/{id}/ answers it (the page polls it). */
export const ImportSchema = z
  .object({
    id: z.number().int(),
    source: z.enum(['trello', 'csv', 'laneway']),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.number().int().openapi({ description: '0..100' }),
    project: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The new project, once done; or the existing project it imports into' }),
    into_existing: z
      .boolean()
      .openapi({ description: 'Adds to an existing project (POST /projects/{id}/import/) instead of creating one' }),
    filename: z.string(),
    created: z.record(z.string(), z.number()).openapi({
      description:
        'Counts of what was created (into an existing project: columns, tags and fields not matched by name)',
    }),
    warnings: z
      .array(z.string())
      .openapi({ description: 'What could not be carried over (unmatched people, companies)' }),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Import');

/** What the mapping step shows of a file before it is imported. */
export const ImportPreviewSchema = z
  .object({
    source: z.enum(['trello', 'csv', 'laneway']),
    name: z.string(),
    csv: z
      .object({
        delimiter: z.string(),
        headers: z.array(z.string()),
        rows: z.array(z.array(z.string())),
        mapping: z.record(z.string(), z.string()),
      })
      .nullable(),
    trello: z
      .object({
        name: z.string(),
        lists: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            category: z.enum(['todo', 'in_progress', 'done']),
            closed: z.boolean(),
          }),
        ),
        cards: z.number(),
        labels: z.number(),
        checklists: z.number(),
        comments: z.number(),
        members: z.array(z.string()),
      })
      .nullable(),
    laneway: z.object({ key: z.string(), tickets: z.number(), columns: z.number() }).nullable(),
  })
  .openapi('ImportPreview');
