import { z } from '@hono/zod-openapi';

export const ApiTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    scope: z.enum(['read', 'write']),
    created_at: z.string().openapi({ format: 'date-time' }),
    expires_at: z.string().nullable().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiToken');
export type ApiTokenJson = z.infer<typeof ApiTokenSchema>;

export const NewApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: 'The secret (`lw_…`), shown this once' }),
}).openapi('NewApiToken');
export type NewApiTokenJson = z.infer<typeof NewApiTokenSchema>;
