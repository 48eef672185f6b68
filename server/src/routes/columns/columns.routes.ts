import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { Category, ColumnSchema } from '../../schemas/columns.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const Name = z.string().trim().min(1).max(100);
const WipLimit = z.number().int().min(1).max(10_000).nullable();

export const listColumns = createRoute({
  method: 'get',
  path: '/columns',
  tags: ['columns'],
  summary: "A project's columns in board order",
  request: { query: PageQuery.extend({ project: Id }) },
  responses: { 200: json(paginated(ColumnSchema, 'Columns'), 'Columns'), ...StandardErrors },
});

export const createColumn = createRoute({
  method: 'post',
  path: '/columns',
  tags: ['columns'],
  summary: 'Add a column at the right end (superadmin)',
  request: {
    body: jsonBody(
      z
        .object({ project: Id, name: Name, category: Category.optional(), wip_limit: WipLimit.optional() })
        .strict()
        .openapi('NewColumn'),
    ),
  },
  responses: { 201: json(ColumnSchema, 'Created'), ...errors(400, 401, 403, 404) },
});

const ColumnPatchBody = z
  .object({ name: Name.optional(), category: Category.optional(), wip_limit: WipLimit.optional() })
  .strict();
/** PATCH and PUT bodies also take the column's read-only fields when unchanged (DRF clients). */
export const ColumnPatch = withReadOnly(ColumnPatchBody, ColumnSchema, 'ColumnPatch');
export const ColumnPut = withReadOnly(ColumnPatchBody.required({ name: true }), ColumnSchema, 'ColumnPut');

export const patchColumn = createRoute({
  method: 'patch',
  path: '/columns/{id}',
  tags: ['columns'],
  summary: "Rename, re-categorise (tickets' status follows) or set the WIP limit (superadmin)",
  request: {
    params: IdParam,
    body: jsonBody(ColumnPatch.schema),
  },
  responses: { 200: json(ColumnSchema, 'Updated'), ...StandardErrors },
});

export const putColumn = putRoute(
  patchColumn,
  ColumnPut.schema,
  'Replace a column (superadmin; DRF `update`): `name` is required, the rest as PATCH',
);

export const deleteColumn = createRoute({
  method: 'delete',
  path: '/columns/{id}',
  tags: ['columns'],
  summary: 'Delete a column (superadmin): empty, or with `move_to`, whose tickets then move there first',
  description:
    'Without `move_to`, a column that holds tickets (archived ones too) answers 409. With it, every ticket ' +
    'moves to the end of that column, in order, and the column is deleted, in one transaction.',
  request: {
    params: IdParam,
    query: z.object({
      move_to: Id.optional().openapi({ description: 'Another column of the same project, for the tickets' }),
    }),
  },
  responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 409) },
});

export const moveColumn = createRoute({
  method: 'post',
  path: '/columns/{id}/move',
  tags: ['columns'],
  summary: 'Reorder: place after the column `after` and/or before the column `before`; neither = last',
  request: {
    params: IdParam,
    body: jsonBody(z.object({ before: Id.optional(), after: Id.optional() }).strict()),
  },
  responses: { 200: json(ColumnSchema, 'Moved'), ...StandardErrors },
});
