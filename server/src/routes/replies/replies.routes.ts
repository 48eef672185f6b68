import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { ReplySchema } from '../../schemas/replies.ts';

const Name = z.string().trim().min(1).max(100);
const Body = z.string().min(1).max(20_000);

export const listReplies = createRoute({
  method: 'get',
  path: '/projects/{id}/replies',
  tags: ['replies'],
  summary: "A project's canned responses (staff), by name",
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: json(paginated(ReplySchema, 'CannedReplies'), 'A page of canned responses'),
    ...errors(400, 401, 403, 404),
  },
});

export const createReply = createRoute({
  method: 'post',
  path: '/projects/{id}/replies',
  tags: ['replies'],
  summary: 'Add a canned response (superadmins and admins)',
  request: { params: IdParam, body: jsonBody(z.object({ name: Name, body: Body }).strict().openapi('NewCannedReply')) },
  responses: { 201: json(ReplySchema, 'Created'), ...errors(400, 401, 403, 404, 409) },
});

export const patchReply = createRoute({
  method: 'patch',
  path: '/replies/{id}',
  tags: ['replies'],
  request: {
    params: IdParam,
    body: jsonBody(z.object({ name: Name.optional(), body: Body.optional() }).strict().openapi('CannedReplyPatch')),
  },
  responses: { 200: json(ReplySchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const deleteReply = createRoute({
  method: 'delete',
  path: '/replies/{id}',
  tags: ['replies'],
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
});
