import { createRoute, z } from '@hono/zod-openapi';
import { Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { FieldSchema, FieldTypeSchema } from '../../schemas/fields.ts';

const Name = z.string().trim().min(1).max(100);
const Colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/)
  .nullable();
const Options = z
  .array(
    z
      .object({
        id: Id.optional().openapi({ description: 'An existing option of this field; absent for a new one' }),
        label: z.string().trim().min(1).max(100),
        colour: Colour.optional(),
      })
      .strict(),
  )
  .max(200)
  .openapi({ description: 'The whole list, in order: options left out are removed, with their values' });

export const listFields = createRoute({
  method: 'get',
  path: '/projects/{id}/fields',
  tags: ['fields'],
  summary: "A project's custom fields in display order",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(FieldSchema, 'Fields'), 'Fields'), ...StandardErrors },
});

export const createField = createRoute({
  method: 'post',
  path: '/projects/{id}/fields',
  tags: ['fields'],
  summary: 'Add a custom field at the end (superadmin)',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({
          name: Name,
          type: FieldTypeSchema,
          options: Options.optional(),
          required: z.boolean().optional(),
          show_on_card: z.boolean().optional(),
        })
        .strict()
        .openapi('NewField'),
    ),
  },
  responses: { 201: json(FieldSchema, 'Created'), ...StandardErrors },
});

export const patchField = createRoute({
  method: 'patch',
  path: '/fields/{id}',
  tags: ['fields'],
  summary: 'Rename, change options, required or show_on_card (superadmin); the type cannot change',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({
          name: Name.optional(),
          options: Options.optional(),
          required: z.boolean().optional(),
          show_on_card: z.boolean().optional(),
        })
        .strict()
        .openapi('FieldPatch'),
    ),
  },
  responses: { 200: json(FieldSchema, 'Updated'), ...StandardErrors },
});

export const deleteField = createRoute({
  method: 'delete',
  path: '/fields/{id}',
  tags: ['fields'],
  summary: "Delete a custom field and every ticket's value of it (superadmin)",
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});

export const moveField = createRoute({
  method: 'post',
  path: '/fields/{id}/move',
  tags: ['fields'],
  summary: 'Reorder: place after the field `after` and/or before the field `before`; neither = last',
  request: {
    params: IdParam,
    body: jsonBody(z.object({ before: Id.optional(), after: Id.optional() }).strict()),
  },
  responses: { 200: json(FieldSchema, 'Moved'), ...StandardErrors },
});
