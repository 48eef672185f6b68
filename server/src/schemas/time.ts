import { z } from '@hono/zod-openapi';

/** A calendar day, `YYYY-MM-DD`, that exists. */
export const Day = z.iso.date().openapi({ example: '2026-12-07' });

export const TimeEntrySchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int(),
    user: z.number().int().nullable().openapi({ description: 'Who spent the time (null: account deleted)' }),
    minutes: z.number().int(),
    note: z.string(),
    spent_on: Day,
    created_at: z.string(),
  })
  .openapi('TimeEntry');
export type TimeEntry = z.infer<typeof TimeEntrySchema>;

export const TimerSchema = z
  .object({
    ticket: z.number().int(),
    key: z.string().openapi({ example: 'OPS-7' }),
    title: z.string(),
    started_at: z.string(),
  })
  .openapi('Timer');
export type Timer = z.infer<typeof TimerSchema>;

/** The caller's running timer, or null. */
export const MyTimerSchema = z.object({ timer: TimerSchema.nullable() }).openapi('MyTimer');

/** What stopping a timer answers: the entry it wrote (null when the timer ran on another ticket). */
export const TimerStoppedSchema = z.object({ entry: TimeEntrySchema.nullable() }).openapi('TimerStopped');

/** One row of the monthly report: minutes by company (null: no company) and person. */
export const TimeReportRowSchema = z
  .object({
    company: z.number().int().nullable(),
    company_name: z.string().nullable(),
    user: z.number().int().nullable(),
    user_name: z.string().nullable(),
    minutes: z.number().int(),
  })
  .openapi('TimeReportRow');
export const TimeReportSchema = z
  .object({
    month: z.string().openapi({ example: '2026-12' }),
    total: z.number().int(),
    rows: z.array(TimeReportRowSchema),
  })
  .openapi('TimeReport');
export type TimeReport = z.infer<typeof TimeReportSchema>;

/**
 * What a time event carries (staff audience only): the entry, and the ticket's total after
 * the change, so an open drawer shows the new total at once.
 */
export type TimeEntryChange = TimeEntry & { project: number; time_spent: number };
