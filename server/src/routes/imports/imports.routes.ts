import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json } from '../../lib/openapi.ts';
import { ImportPreviewSchema, ImportSchema } from '../../schemas/imports.ts';

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

export const importIntoProject = createRoute({
  method: 'post',
  path: '/projects/{id}/import',
  tags: ['imports'],
  summary: 'Add a Trello board, a CSV or a Laneway export to an existing project (the superuser; queued as a job)',
  description:
    "Columns, tags and custom fields are matched to the project's by name (trimmed, case-insensitive) and " +
    "created when missing (new columns at the right end); ticket numbers continue the project's; imported " +
    "cards go after each column's last card. Only companies linked to the project and assignees who are its " +
    "members are kept. Everything lands in one transaction, and the board's subscribers receive a " +
    "`ticket.created` event per ticket. The mapping's `name` and `key` are ignored.",
  request: { params: IdParam, body: importForm },
  responses: {
    202: json(z.object({ id: z.number().int(), status: z.literal('queued') }), 'Queued: poll GET /imports/{id}/'),
    ...errors(400, 401, 403, 404, 413, 415),
  },
});

export const previewImport = createRoute({
  method: 'post',
  path: '/imports/preview',
  tags: ['imports'],
  summary: "A file's header and first rows (CSV), lists (Trello) or counts (export), for the mapping step",
  request: { body: importForm },
  responses: { 200: json(ImportPreviewSchema, 'What the file holds'), ...errors(400, 401, 403, 413, 415) },
});

export const getImport = createRoute({
  method: 'get',
  path: '/imports/{id}',
  tags: ['imports'],
  summary: "An import's status, progress and report (its creator and the superuser)",
  request: { params: IdParam },
  responses: { 200: json(ImportSchema, 'The import'), ...errors(400, 401, 404) },
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
