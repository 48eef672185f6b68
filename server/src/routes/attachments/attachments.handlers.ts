import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope } from '../../lib/pagination.ts';
import * as attachments from '../../services/attachments.ts';
import type * as r from './attachments.routes.ts';

/**
 * `Content-Disposition: attachment` with both an ASCII `filename` (quotes and backslashes
 * escaped, anything else non-ASCII as `_`) and the exact name as RFC 5987 `filename*`.
 *
 * @example contentDisposition('naïve "plan".pdf')
 * // attachment; filename="na_ve \"plan\".pdf"; filename*=UTF-8''na%C3%AFve%20%22plan%22.pdf
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const listAttachments: RouteHandler<typeof r.listAttachments, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await attachments.listAttachments(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const uploadAttachment: RouteHandler<typeof r.uploadAttachment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const length = Number(c.req.header('content-length'));
  const body = c.req.raw.body;
  const upload = {
    contentType: c.req.header('content-type'),
    contentLength: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
    body: body ? Readable.fromWeb(body as NodeReadableStream<Uint8Array>) : null,
  };
  const storage = { dir: config.uploadDir, maxBytes: config.maxUploadBytes };
  return c.json(await attachments.createAttachment(db, actor, c.req.valid('param').id, upload, storage), 201);
};

export const downloadAttachment: RouteHandler<typeof r.downloadAttachment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const file = await attachments.openAttachment(db, actor, c.req.valid('param').id, { dir: config.uploadDir });
  return c.body(Readable.toWeb(file.stream) as ReadableStream<Uint8Array>, 200, {
    'Content-Type': file.attachment.content_type,
    'Content-Length': String(file.size),
    'Content-Disposition': contentDisposition(file.attachment.filename),
    'X-Content-Type-Options': 'nosniff',
    // Were a browser ever to render it anyway, it runs no script and loads nothing.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-cache',
  });
};

export const deleteAttachment: RouteHandler<typeof r.deleteAttachment, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  await attachments.deleteAttachment(db, actor, c.req.valid('param').id, { dir: config.uploadDir });
  return c.body(null, 204);
};
