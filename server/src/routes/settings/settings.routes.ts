import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody } from '../../lib/openapi.ts';
import { BRAND_IMAGES } from '../../services/settings.ts';
import { BrandingSchema } from '../../schemas/settings.ts';

const BrandingPatch = z
  .object({
    site_name: z.string().trim().min(1).max(60).optional(),
    accent_colour: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #4f46e5')
      .optional(),
  })
  .strict()
  .openapi('BrandingPatch');

const ImageParam = z.object({
  image: z.enum(BRAND_IMAGES).openapi({ param: { name: 'image', in: 'path' }, example: 'logo' }),
});

export const getBranding = createRoute({
  method: 'get',
  path: '/settings',
  tags: ['settings'],
  summary: "The instance's branding (public: the sign-in page is branded too)",
  security: [],
  responses: { 200: json(BrandingSchema, 'Site name, accent colour, logo and favicon URLs') },
});

export const patchBranding = createRoute({
  method: 'patch',
  path: '/settings',
  tags: ['settings'],
  summary: 'Change the site name or accent colour (superuser)',
  request: { body: jsonBody(BrandingPatch) },
  responses: { 200: json(BrandingSchema, 'The branding as now stored'), ...errors(400, 401, 403) },
});

export const getBrandImage = createRoute({
  method: 'get',
  path: '/settings/{image}',
  tags: ['settings'],
  summary: 'The logo or favicon (public)',
  security: [],
  request: { params: ImageParam },
  responses: {
    200: {
      description: 'The image, with its sniffed type',
      content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
    },
    ...errors(404),
  },
});

/** The body is the image's raw bytes (not multipart), checked by sniffing, not by its Content-Type. */
export const putBrandImage = createRoute({
  method: 'put',
  path: '/settings/{image}',
  tags: ['settings'],
  summary:
    'Upload the logo or favicon as the raw request body: PNG, JPEG, WebP, GIF or ICO, at most 256 KB (superuser)',
  request: {
    params: ImageParam,
    body: { required: true, content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } },
  },
  responses: { 200: json(BrandingSchema, 'The branding with the new image'), ...errors(400, 401, 403, 413, 415) },
});

export const deleteBrandImage = createRoute({
  method: 'delete',
  path: '/settings/{image}',
  tags: ['settings'],
  summary: 'Remove the logo or favicon, back to the default (superuser)',
  request: { params: ImageParam },
  responses: { 200: json(BrandingSchema, 'The branding without that image'), ...errors(401, 403) },
});
