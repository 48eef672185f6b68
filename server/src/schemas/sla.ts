import { z } from '@hono/zod-openapi';

/** A ticket's SLA clocks (null on a ticket born under no target). */
export const TicketSlaSchema = z
  .object({
    first_response_due_at: z.string(),
    resolution_due_at: z.string(),
    first_responded_at: z.string().nullable(),
    breached: z.boolean().openapi({ description: 'A clock ran out (stamped by the breach task)' }),
  })
  .openapi('TicketSla');
export type TicketSla = z.infer<typeof TicketSlaSchema>;

const Minutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 365);

export const SlaTargetSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    priority_id: z.number().int().nullable().openapi({ description: 'null: any priority' }),
    company: z.number().int().nullable().openapi({ description: 'null: every company' }),
    first_response_minutes: z.number().int().openapi({ description: 'Business minutes' }),
    resolution_minutes: z.number().int().openapi({ description: 'Business minutes' }),
  })
  .openapi('SlaTarget');
export type SlaTarget = z.infer<typeof SlaTargetSchema>;

export const NewSlaTargetSchema = z
  .object({
    priority_id: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
    company: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
    first_response_minutes: Minutes,
    resolution_minutes: Minutes,
  })
  .strict()
  .openapi('NewSlaTarget');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');

export const BusinessHoursSchema = z
  .object({
    timezone: z.string().refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'An IANA time zone, such as Europe/Berlin' },
    ),
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).openapi({ description: 'ISO weekdays, 1 = Monday' }),
    start: HHMM,
    end: HHMM,
    holidays: z.array(z.iso.date()).max(400).default([]),
  })
  .strict()
  .refine((b) => b.end > b.start, { message: 'end must be after start', path: ['end'] })
  .openapi('BusinessHours');
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

/** A project's calendar (`null`: around the clock) and targets. */
export const SlaSettingsSchema = z
  .object({ business_hours: BusinessHoursSchema.nullable(), targets: z.array(SlaTargetSchema) })
  .openapi('SlaSettings');

/** What `ticket.sla_breached` carries. */
export interface SlaBreach {
  ticket: number;
  key: string;
  project: number;
  company: number | null;
  clock: 'first_response' | 'resolution';
  due_at: string;
  assignees: number[];
}
