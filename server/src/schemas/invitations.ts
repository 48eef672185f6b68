import { z } from '@hono/zod-openapi';
import { PROJECT_ROLES } from './projects.ts';

const InvitedProject = z.object({ project: z.number().int(), name: z.string(), role: z.enum(PROJECT_ROLES) });
const InvitedCompany = z.object({ id: z.number().int(), name: z.string(), role: z.enum(['admin', 'user']) });

export const InvitationSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    projects: z.array(InvitedProject),
    company: InvitedCompany.nullable(),
    invited_by: z.object({ id: z.number().int(), username: z.string(), name: z.string() }).nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    expires_at: z.string().openapi({ format: 'date-time' }),
    accepted_at: z.string().nullable().openapi({ format: 'date-time' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time' }),
    link: z
      .string()
      .optional()
      .openapi({ description: 'The acceptance link, only when SMTP is not configured: pass it on yourself' }),
  })
  .openapi('Invitation');
export type InvitationJson = z.infer<typeof InvitationSchema>;

/** What the acceptance page shows before the account exists (public, by token). */
export const InvitationPreviewSchema = z
  .object({
    email: z.string(),
    name: z.string(),
    invited_by: z.object({ name: z.string() }),
    projects: z.array(z.object({ name: z.string(), role: z.enum(PROJECT_ROLES) })),
    company: z.object({ name: z.string() }).nullable(),
  })
  .openapi('InvitationPreview');
export type InvitationPreviewJson = z.infer<typeof InvitationPreviewSchema>;
