import { z } from '@hono/zod-openapi';

/** A database id in a JSON body: a number, never coerced from a string or a boolean. */
export const RefId = z.number().int().min(1).max(2_147_483_647);

export const CompanySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    slug: z.string(),
    domains: z.array(z.string()).openapi({
      description: "Mail domains (e.g. acme.example): new senders from them become this company's contacts",
    }),
    admins: z.array(z.number().int()),
    users: z.array(z.number().int()),
    created_at: z.string(),
  })
  .openapi('Company');

export type Company = z.infer<typeof CompanySchema>;
