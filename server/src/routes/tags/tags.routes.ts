import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { Colour, TagSchema } from '../../schemas/tags.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const Name = z.string().trim().min(1).max(50);

export const listTags = createRoute({
  method: 'get',
  path: '/tags',
  tags: ['tags'],
  request: { query: PageQuery.extend({ project: Id }) },
  responses: { 200: json(paginated(TagSchema, 'Tags'), "A project's tags"), ...StandardErrors },
});

export const createTag = createRoute({
  method: 'post',
  path: '/tags',
  tags: ['tags'],
  summary: 'Create a tag (superadmin); names are unique per project, ignoring case',
  request: { body: jsonBody(z.object({ project: Id, name: Name, colour: Colour.optional() }).strict()) },
  responses: { 201: json(TagSchema, 'Created'), ...errors(400, 401, 403, 404, 409) },
});

const TagPatchBody = z.object({ name: Name.optional(), colour: Colour.optional() }).strict();
/** PATCH and PUT bodies also take the tag's read-only fields when unchanged (DRF clients). */
export const TagPatch = withReadOnly(TagPatchBody, TagSchema, 'TagPatch');
export const TagPut = withReadOnly(TagPatchBody.required({ name: true }), TagSchema, 'TagPut');

export const patchTag = createRoute({
  method: 'patch',
  path: '/tags/{id}',
  tags: ['tags'],
  request: { params: IdParam, body: jsonBody(TagPatch.schema) },
  responses: { 200: json(TagSchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const putTag = putRoute(
  patchTag,
  TagPut.schema,
  'Replace a tag (superadmin; DRF `update`): `name` is required, the rest as PATCH',
);

export const deleteTag = createRoute({
  method: 'delete',
  path: '/tags/{id}',
  tags: ['tags'],
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
