/** REST calls for time tracking and SLA settings (SPEC §14); types from the server's schemas (type-only). */
import type { z } from 'zod';
import type {
  BusinessHoursSchema,
  NewSlaTargetSchema,
  SlaSettingsSchema,
  SlaTargetSchema,
  TicketSlaSchema,
} from '../../../../server/src/schemas/sla.ts';
import type { TimeEntrySchema, TimeReportSchema, TimerSchema } from '../../../../server/src/schemas/time.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type TimeEntry = z.infer<typeof TimeEntrySchema>;
export type Timer = z.infer<typeof TimerSchema>;
export type TimeReport = z.infer<typeof TimeReportSchema>;
export type TicketSla = z.infer<typeof TicketSlaSchema>;
export type SlaTarget = z.infer<typeof SlaTargetSchema>;
export type NewSlaTarget = z.input<typeof NewSlaTargetSchema>;
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;
export type SlaSettings = z.infer<typeof SlaSettingsSchema>;

/** REST calls for time entries, the timer, the monthly report and SLA settings. */
export function timeCalls(call: Call) {
  return {
    timeEntries: (ticket: number) => call<Page<TimeEntry>>('GET', `/tickets/${ticket}/time/?page_size=200`),
    logTime: (ticket: number, body: { minutes: number; note?: string; spent_on?: string }) =>
      call<TimeEntry>('POST', `/tickets/${ticket}/time/`, body),
    patchTimeEntry: (id: number, body: { minutes?: number; note?: string; spent_on?: string }) =>
      call<TimeEntry>('PATCH', `/time-entries/${id}/`, body),
    deleteTimeEntry: (id: number) => call<void>('DELETE', `/time-entries/${id}/`),
    myTimer: () => call<{ timer: Timer | null }>('GET', '/timer/'),
    startTimer: (ticket: number) => call<Timer>('POST', `/tickets/${ticket}/timer/start/`),
    stopTimer: (ticket: number) => call<{ entry: TimeEntry | null }>('POST', `/tickets/${ticket}/timer/stop/`),
    timeReport: (project: number, month: string) =>
      call<TimeReport>('GET', `/projects/${project}/reports/time/?month=${encodeURIComponent(month)}`),
    slaSettings: (project: number) => call<SlaSettings>('GET', `/projects/${project}/sla/`),
    addSlaTarget: (project: number, body: NewSlaTarget) => call<SlaTarget>('POST', `/projects/${project}/sla/`, body),
    deleteSlaTarget: (id: number) => call<void>('DELETE', `/sla/${id}/`),
    putBusinessHours: (project: number, body: BusinessHours) =>
      call<BusinessHours>('PUT', `/projects/${project}/business-hours/`, body),
  };
}
