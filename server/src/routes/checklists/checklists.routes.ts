import { createRoute, z } from '@hono/zod-openapi';
import { Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { ChecklistItemSchema } from '../../schemas/checklists.ts';

const Text = z.string().trim().min(1).max(500);

export const listChecklist = createRoute({
  method: 'get',
  path: '/tickets/{id}/checklist',
  tags: ['checklists'],
  summary: "A ticket's checklist in order",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(ChecklistItemSchema, 'ChecklistItems'), 'Items'), ...StandardErrors },
});

export const addChecklistItem = createRoute({
  method: 'post',
  path: '/tickets/{id}/checklist',
  tags: ['checklists'],
  summary: 'Add an item at the end, or right after the item `after` (whoever may edit the ticket)',
  request: {
    params: IdParam,
    body: jsonBody(
      z.object({ text: Text, done: z.boolean().optional(), after: Id.optional() }).strict().openapi('NewChecklistItem'),
    ),
  },
  responses: { 201: json(ChecklistItemSchema, 'Added'), ...StandardErrors },
});

export const patchChecklistItem = createRoute({
  method: 'patch',
  path: '/checklist-items/{id}',
  tags: ['checklists'],
  summary: 'Change the text, tick or untick, or move after the item `after` (null: to the top)',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({ text: Text.optional(), done: z.boolean().optional(), after: Id.nullable().optional() })
        .strict()
        .openapi('ChecklistItemPatch'),
    ),
  },
  responses: { 200: json(ChecklistItemSchema, 'Updated'), ...StandardErrors },
});

export const deleteChecklistItem = createRoute({
  method: 'delete',
  path: '/checklist-items/{id}',
  tags: ['checklists'],
  summary: 'Remove an item',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
