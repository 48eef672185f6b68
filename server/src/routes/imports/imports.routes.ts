import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json } from '../../lib/openapi.ts';

const ImportStatus = z
  .object({
    id: z.number().int(),
    source: z.enum(['trello', 'csv', 'laneway']),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.number().int().openapi({ description: '0..100' }),
    project: z.number().int().nullable().openapi({ description: 'The new project, once done' }),
    filename: z.string(),
    created: z.record(z.string(), z.number()).openapi({ description: 'Counts of what was created' }),
    warnings: z
      .array(z.string())
      .openapi({ description: 'What could not be carried over (unmatched people, companies)' }),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Import');

const ImportPreview = z
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

/** The form: documented as a plain schema so zod-openapi does not buffer it (the service streams it with busboy). */
const importForm = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        required: ['source', 'file'],
        properties: {
          source: {
            type: 'string' as const,
            enum: ['trello', 'csv', 'laneway'],
            description: 'Also accepted as `kind`',
          },
          file: { type: 'string' as const, format: 'binary' },
          mapping: {
            type: 'string' as const,
            description:
              'JSON: for CSV the header per field ({"title": "Summary", "due_date": "Due", …, "date_order": "dmy"}); ' +
              'for Trello {"columns": {"<list id>": "done"}}; any source {"name", "key"} of the new project',
          },
        },
      },
    },
  },
};

export const importProject = createRoute({
  method: 'post',
  path: '/projects/import',
  tags: ['imports'],
  summary: 'Create a project from a Trello board, a CSV or a Laneway export (queued as a job)',
  request: { body: importForm },
  responses: {
    202: json(z.object({ id: z.number().int(), status: z.literal('queued') }), 'Queued: poll GET /imports/{id}/'),
    ...errors(400, 401, 403, 413, 415),
  },
});

export const previewImport = createRoute({
  method: 'post',
  path: '/imports/preview',
  tags: ['imports'],
  summary: "A file's header and first rows (CSV), lists (Trello) or counts (export), for the mapping step",
  request: { body: importForm },
  responses: { 200: json(ImportPreview, 'What the file holds'), ...errors(400, 401, 403, 413, 415) },
});

export const getImport = createRoute({
  method: 'get',
  path: '/imports/{id}',
  tags: ['imports'],
  summary: "An import's status, progress and report (its creator and the superuser)",
  request: { params: IdParam },
  responses: { 200: json(ImportStatus, 'The import'), ...errors(400, 401, 404) },
});

export const exportProject = createRoute({
  method: 'get',
  path: '/projects/{id}/export',
  tags: ['imports'],
  summary: 'The project as a streamed .tar.gz: project.json and attachments/ (project superadmins)',
  request: { params: IdParam },
  responses: {
    200: {
      description: 'A gzip-compressed tar archive',
      content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } },
    },
    ...errors(400, 401, 403, 404),
  },
});
