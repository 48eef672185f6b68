import { z } from '@hono/zod-openapi';

export const BrandingSchema = z
  .object({
    site_name: z.string(),
    accent_colour: z.string().openapi({ example: '#4f46e5' }),
    logo_url: z.string().nullable(),
    favicon_url: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('Branding');

export type Branding = z.infer<typeof BrandingSchema>;
