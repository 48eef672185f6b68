import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import * as imports from '../../services/imports.ts';
import { exportProject as exportArchive } from '../../services/project-export.ts';
import { contentDisposition } from '../attachments/attachments.handlers.ts';
import type * as r from './imports.routes.ts';

const upload = (c: { req: { header: (name: string) => string | undefined; raw: Request } }) => ({
  contentType: c.req.header('content-type'),
  body: c.req.raw.body ? Readable.fromWeb(c.req.raw.body as NodeReadableStream<Uint8Array>) : null,
});

export const importProject: RouteHandler<typeof r.importProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const storage = { dir: config.uploadDir, maxBytes: config.maxUploadBytes };
  return c.json(await imports.createImport(db, actor, upload(c), storage), 202);
};

export const importIntoProject: RouteHandler<typeof r.importIntoProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const storage = { dir: config.uploadDir, maxBytes: config.maxUploadBytes };
  const into = c.req.valid('param').id;
  return c.json(await imports.createImport(db, actor, upload(c), storage, into), 202);
};

export const previewImport: RouteHandler<typeof r.previewImport, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  return c.json(await imports.previewImport(db, actor, upload(c), { maxBytes: config.maxUploadBytes }), 200);
};

export const getImport: RouteHandler<typeof r.getImport, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await imports.getImport(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const exportProject: RouteHandler<typeof r.exportProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, sql, config } = c.var.deps;
  const archive = await exportArchive(db, sql, actor, c.req.valid('param').id, { dir: config.uploadDir });
  return c.body(Readable.toWeb(archive.stream) as ReadableStream<Uint8Array>, 200, {
    'Content-Type': 'application/gzip',
    'Content-Disposition': contentDisposition(archive.filename),
    'Cache-Control': 'no-store',
  });
};
