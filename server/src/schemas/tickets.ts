import { z } from '@hono/zod-openapi';
import { ChecklistProgressSchema } from './checklists.ts';
import { FieldValueSchema } from './fields.ts';
import { TicketSlaSchema } from './sla.ts';

export const Status = z.enum(['todo', 'in_progress', 'done']);

export const TicketSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    number: z.number().int(),
    key: z.string().openapi({ example: 'OPS-7' }),
    title: z.string(),
    description: z.string().openapi({ description: 'Markdown' }),
    column: z.number().int(),
    position: z.string().openapi({ description: 'Fractional-index key; order within the column' }),
    priority_id: z.number().int(),
    company: z.number().int().nullable(),
    contact: z.number().int().nullable(),
    reporter: z.number().int().nullable(),
    assignees: z.array(z.number().int()),
    tags: z.array(z.number().int()),
    due_at: z.string().nullable(),
    status: Status,
    done_at: z.string().nullable(),
    is_archived: z.boolean(),
    archived_at: z.string().nullable(),
    version: z.number().int(),
    fields: z
      .record(z.string(), FieldValueSchema)
      .openapi({ description: 'Custom field values by field id; a field without a value is absent' }),
    checklist: ChecklistProgressSchema,
    blocked: z.boolean().openapi({ description: 'A ticket not yet done blocks this one' }),
    sla: TicketSlaSchema.nullable().openapi({ description: 'SLA clocks; null when no target applied at creation' }),
    time_spent: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Minutes logged (single-ticket read, staff only; absent for company people)' }),
    source: z.enum(['web', 'email']).openapi({ description: '`email`: opened by a mail to a project mailbox' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Ticket');

export type Ticket = z.infer<typeof TicketSchema>;

/**
 * A ticket's key as people write it: the project's key (2-10 capitals or digits, a capital
 * first, as projects.routes.ts stores it) and the ticket's number. The web app's Markdown
 * linker looks for the same shape (web/src/lib/markdown.ts).
 */
export const TICKET_KEY = /^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})$/;

/** At most this many keys in one resolve request: a long page asks in several. */
export const MAX_RESOLVE_KEYS = 100;

/** `?keys=OPS-1,SD-4`: distinct, well-formed keys (a malformed one or too many is a 400). */
export const TicketKeysParam = z
  .string()
  .max(MAX_RESOLVE_KEYS * 21)
  .transform((text) => [...new Set(text.split(',').map((k) => k.trim()))])
  .pipe(
    z
      .array(z.string().regex(TICKET_KEY, 'A ticket key such as OPS-12'))
      .min(1)
      .max(MAX_RESOLVE_KEYS, `At most ${MAX_RESOLVE_KEYS} keys`),
  )
  .openapi({
    type: 'string',
    description: `Comma-separated ticket keys, at most ${MAX_RESOLVE_KEYS}`,
    example: 'OPS-1,SD-4',
  });

/** A key the caller may see, and the ticket it names. */
export const ResolvedTicketSchema = z
  .object({ key: z.string(), id: z.number().int(), title: z.string() })
  .openapi('ResolvedTicketKey');
export type ResolvedTicket = z.infer<typeof ResolvedTicketSchema>;
