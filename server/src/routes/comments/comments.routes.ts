import { createRoute, z } from '@hono/zod-openapi';
import { Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { CommentSchema } from '../../schemas/comments.ts';

/** Markdown, stored and returned exactly as written; blank bodies are refused. */
const Body = z
  .string()
  .max(20_000)
  .refine((s) => s.trim().length > 0, 'May not be blank')
  .openapi({ description: 'Markdown' });

export const listComments = createRoute({
  method: 'get',
  path: '/tickets/{id}/comments',
  tags: ['comments'],
  summary: "A ticket's comments, oldest first; deleted ones with live replies stay as tombstones",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(CommentSchema, 'Comments'), 'A page of comments'), ...StandardErrors },
});

export const createComment = createRoute({
  method: 'post',
  path: '/tickets/{id}/comments',
  tags: ['comments'],
  summary: 'Comment on a ticket, or reply to one of its comments (`parent`)',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({
          body: Body,
          parent: Id.nullable().optional().openapi({ description: 'A comment of this ticket' }),
          internal: z.boolean().optional().openapi({
            description: 'A staff-only note (default false); company people may not write one (403)',
          }),
        })
        .strict()
        .openapi('NewComment'),
    ),
  },
  responses: { 201: json(CommentSchema, 'Created'), ...StandardErrors },
});

export const patchComment = createRoute({
  method: 'patch',
  path: '/comments/{id}',
  tags: ['comments'],
  summary: 'Edit a comment (its author); sets edited_at',
  request: { params: IdParam, body: jsonBody(z.object({ body: Body }).strict().openapi('CommentPatch')) },
  responses: { 200: json(CommentSchema, 'Updated'), ...StandardErrors },
});

export const deleteComment = createRoute({
  method: 'delete',
  path: '/comments/{id}',
  tags: ['comments'],
  summary: 'Delete a comment (its author, or a project superadmin/admin); replies keep their place',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
