import { z } from '@hono/zod-openapi';

export const Category = z.enum(['todo', 'in_progress', 'done']);

export const ColumnSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    name: z.string(),
    category: Category,
    wip_limit: z.number().int().nullable(),
    position: z.string(),
  })
  .openapi('Column');

export type Column = z.infer<typeof ColumnSchema>;
