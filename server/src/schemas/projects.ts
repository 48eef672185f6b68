import { z } from '@hono/zod-openapi';
import { ColumnSchema } from './columns.ts';
import { TicketSchema } from './tickets.ts';

/** A member's role in a project, strongest first (SPEC §4). */
export const PROJECT_ROLES = ['superadmin', 'admin', 'manager', 'user'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const ProjectSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    key: z.string(),
    description: z.string(),
    companies: z.array(z.number().int()),
    created_by: z.number().int().nullable(),
    created_at: z.string(),
    archive_after_hours: z.number().int().nullable(),
    role: z.enum(PROJECT_ROLES).nullable(),
  })
  .openapi('Project');

export const MemberSchema = z
  .object({
    user: z.object({ id: z.number().int(), username: z.string(), name: z.string() }),
    role: z.enum(PROJECT_ROLES),
  })
  .openapi('Member');

export const BoardSchema = z
  .object({
    project: z.number().int(),
    seq: z.number().int().openapi({ description: 'The project topic seq this board reflects (resume point)' }),
    columns: z.array(ColumnSchema.extend({ tickets: z.array(TicketSchema) })),
  })
  .openapi('Board');

export const ReportSchema = z
  .object({
    project: z.number().int(),
    days: z.number().int(),
    columns: z.array(
      z.object({ column: z.number().int(), name: z.string(), category: z.string(), count: z.number().int() }),
    ),
    per_day: z.array(z.object({ day: z.string(), created: z.number().int(), done: z.number().int() })),
    cycle_time: z.object({
      count: z.number().int(),
      avg_hours: z.number().nullable(),
      median_hours: z.number().nullable(),
      p90_hours: z.number().nullable(),
    }),
  })
  .openapi('Report');

export type Project = z.infer<typeof ProjectSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type Board = z.infer<typeof BoardSchema>;
export type Report = z.infer<typeof ReportSchema>;
