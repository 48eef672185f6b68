import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { RelationKind, RelationSchema } from '../../schemas/relations.ts';

export const listRelations = createRoute({
  method: 'get',
  path: '/tickets/{id}/relations',
  tags: ['relations'],
  summary: "A ticket's relations to tickets the caller can see",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(RelationSchema, 'Relations'), 'Relations'), ...StandardErrors },
});

export const addRelation = createRoute({
  method: 'post',
  path: '/tickets/{id}/relations',
  tags: ['relations'],
  summary: 'Link this ticket to another it relates to, blocks or duplicates (404 for a ticket the caller cannot see)',
  request: {
    params: IdParam,
    body: jsonBody(z.object({ kind: RelationKind, ticket: Id }).strict().openapi('NewRelation')),
  },
  responses: { 201: json(RelationSchema, 'Linked'), ...errors(400, 401, 403, 404, 409) },
});

export const deleteRelation = createRoute({
  method: 'delete',
  path: '/relations/{id}',
  tags: ['relations'],
  summary: 'Remove a relation',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
