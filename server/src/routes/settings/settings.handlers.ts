import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { notFound } from '../../lib/errors.ts';
import * as settings from '../../services/settings.ts';
import type * as r from './settings.routes.ts';

export const getBranding: RouteHandler<typeof r.getBranding, AppEnv> = async (c) =>
  c.json(await settings.readBranding(c.var.deps.db), 200);

export const patchBranding: RouteHandler<typeof r.patchBranding, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await settings.updateBranding(c.var.deps.db, actor, c.req.valid('json')), 200);
};

export const getBrandImage: RouteHandler<typeof r.getBrandImage, AppEnv> = async (c) => {
  const image = await settings.readBrandImage(c.var.deps.db, c.req.valid('param').image);
  if (!image) throw notFound('No such image');
  return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': image.type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    // The URL carries the version (`?v=`), so a changed image has a new URL.
    'Cache-Control': c.req.query('v') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
};

export const putBrandImage: RouteHandler<typeof r.putBrandImage, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  // Bounded by the API's body limit; the service refuses anything over 256 KB.
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return c.json(await settings.setBrandImage(c.var.deps.db, actor, c.req.valid('param').image, bytes), 200);
};

export const deleteBrandImage: RouteHandler<typeof r.deleteBrandImage, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await settings.clearBrandImage(c.var.deps.db, actor, c.req.valid('param').image), 200);
};
