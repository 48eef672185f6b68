import { createRoute, z } from '@hono/zod-openapi';
import { IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import {
  Day,
  MyTimerSchema,
  TimeEntrySchema,
  TimeReportSchema,
  TimerSchema,
  TimerStoppedSchema,
} from '../../schemas/time.ts';

/** Whole minutes, up to a day per entry. */
const Minutes = z
  .number()
  .int()
  .min(1)
  .max(24 * 60);
const Note = z.string().trim().max(1000);

export const listTime = createRoute({
  method: 'get',
  path: '/tickets/{id}/time',
  tags: ['time'],
  summary: "A ticket's time entries, newest day first (staff; 404 for company people)",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(TimeEntrySchema, 'TimeEntries'), 'Entries'), ...StandardErrors },
});

export const addTime = createRoute({
  method: 'post',
  path: '/tickets/{id}/time',
  tags: ['time'],
  summary: 'Log your own time on a ticket (`spent_on` defaults to today, UTC)',
  request: {
    params: IdParam,
    body: jsonBody(
      z.object({ minutes: Minutes, note: Note.optional(), spent_on: Day.optional() }).strict().openapi('NewTimeEntry'),
    ),
  },
  responses: { 201: json(TimeEntrySchema, 'Logged'), ...StandardErrors },
});

export const patchTime = createRoute({
  method: 'patch',
  path: '/time-entries/{id}',
  tags: ['time'],
  summary: 'Correct an entry: your own, or anyone’s as a superadmin or admin',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({ minutes: Minutes.optional(), note: Note.optional(), spent_on: Day.optional() })
        .strict()
        .openapi('TimeEntryPatch'),
    ),
  },
  responses: { 200: json(TimeEntrySchema, 'Updated'), ...StandardErrors },
});

export const deleteTime = createRoute({
  method: 'delete',
  path: '/time-entries/{id}',
  tags: ['time'],
  summary: 'Remove an entry: your own, or anyone’s as a superadmin or admin',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});

export const myTimer = createRoute({
  method: 'get',
  path: '/timer',
  tags: ['time'],
  summary: 'Your running timer, if any (one at a time, across tickets)',
  responses: { 200: json(MyTimerSchema, 'The timer or null'), ...StandardErrors },
});

export const startTimer = createRoute({
  method: 'post',
  path: '/tickets/{id}/timer/start',
  tags: ['time'],
  summary: 'Start your timer on this ticket; one running on another ticket stops first and writes its entry',
  request: { params: IdParam },
  responses: { 200: json(TimerSchema, 'Running'), ...StandardErrors },
});

export const stopTimer = createRoute({
  method: 'post',
  path: '/tickets/{id}/timer/stop',
  tags: ['time'],
  summary: 'Stop your timer on this ticket and write its entry (`entry: null` when none ran here)',
  request: { params: IdParam },
  responses: { 200: json(TimerStoppedSchema, 'Stopped'), ...StandardErrors },
});

export const timeReport = createRoute({
  method: 'get',
  path: '/projects/{id}/reports/time',
  tags: ['time'],
  summary: "A month's time by company and person (managers and up; 404 for company people)",
  request: {
    params: IdParam,
    query: z.object({
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
        .openapi({ example: '2026-12' }),
    }),
  },
  responses: { 200: json(TimeReportSchema, 'The report'), ...StandardErrors },
});
