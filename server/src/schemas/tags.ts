import { z } from '@hono/zod-openapi';

export const TagSchema = z
  .object({ id: z.number().int(), project: z.number().int(), name: z.string(), colour: z.string() })
  .openapi('Tag');

export const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #1e90ff');

export type Tag = z.infer<typeof TagSchema>;
