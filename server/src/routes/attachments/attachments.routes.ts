import { createRoute } from '@hono/zod-openapi';
import { errors, IdParam, json, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { AttachmentSchema } from '../../schemas/attachments.ts';

export const listAttachments = createRoute({
  method: 'get',
  path: '/tickets/{id}/attachments',
  tags: ['attachments'],
  summary: "A ticket's attachments, in upload order",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(AttachmentSchema, 'Attachments'), 'A page of attachments'), ...StandardErrors },
});

/**
 * The body is documented, not validated here: a plain OpenAPI schema (not zod) keeps
 * zod-openapi from parsing, and so buffering, the form. The service streams it with busboy.
 */
export const uploadAttachment = createRoute({
  method: 'post',
  path: '/tickets/{id}/attachments',
  tags: ['attachments'],
  summary: 'Upload one file (multipart/form-data, field `file`, at most MAX_UPLOAD_MB)',
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: { file: { type: 'string', format: 'binary' } },
          },
        },
      },
    },
  },
  responses: { 201: json(AttachmentSchema, 'Stored'), ...errors(400, 401, 403, 404, 413, 415) },
});

export const downloadAttachment = createRoute({
  method: 'get',
  path: '/attachments/{id}/download',
  tags: ['attachments'],
  summary: 'The file, always as a download (Content-Disposition: attachment; nosniff)',
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The stored bytes, with the sniffed Content-Type',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    ...StandardErrors,
  },
});

export const deleteAttachment = createRoute({
  method: 'delete',
  path: '/attachments/{id}',
  tags: ['attachments'],
  summary: 'Delete an attachment (its uploader, or a project superadmin/admin)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
