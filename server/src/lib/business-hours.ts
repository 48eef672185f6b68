/**
 * Business-hours arithmetic for SLA clocks (decision 0028): "this many working minutes after
 * that instant" in a project's calendar. Every local time goes through `@date-fns/tz`'s
 * `TZDate`, so a working day's opening and closing instants are right across daylight-saving
 * changes; nothing here adds hours to a UTC timestamp by hand.
 */
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';
import { getISODay } from 'date-fns/getISODay';

/** A calendar as the arithmetic needs it; `null` means around the clock (24/7). */
export interface Calendar {
  timezone: string;
  /** ISO weekdays worked, 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** Minutes after local midnight the working day opens and closes. */
  startMinute: number;
  endMinute: number;
  /** Local dates (`YYYY-MM-DD`) nobody works. */
  holidays: readonly string[];
}

/** "HH:MM" as minutes after midnight. */
export const minuteOfDay = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Minutes after midnight as "HH:MM". */
export const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The instant of a local wall time on a local day, in the calendar's zone. */
function at(day: TZDate, minute: number, timezone: string): number {
  return new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 0, minute, timezone).getTime();
}

/** Ten years of days: a calendar with no working day at all must not loop for ever. */
const MAX_DAYS = 3660;

/**
 * The instant `minutes` working minutes after `start`. A start outside working hours counts
 * from the next opening.
 *
 * @example addBusinessMinutes(new Date('2026-03-27T16:00:00Z'), 120, berlin9to17) // Monday 09:00 + 1h
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: Calendar | null): Date {
  if (!calendar) return new Date(start.getTime() + minutes * 60_000);
  const { timezone, days, startMinute, endMinute } = calendar;
  const holidays = new Set(calendar.holidays);
  let remaining = minutes * 60_000;
  let cursor = start.getTime();
  let day = new TZDate(start.getTime(), timezone);
  for (let i = 0; i < MAX_DAYS; i++) {
    if (days.includes(getISODay(day)) && !holidays.has(format(day, 'yyyy-MM-dd'))) {
      const open = Math.max(cursor, at(day, startMinute, timezone));
      const close = at(day, endMinute, timezone);
      if (open < close) {
        if (remaining <= close - open) return new Date(open + remaining);
        remaining -= close - open;
      }
    }
    day = addDays(day, 1);
    cursor = at(day, 0, timezone);
  }
  throw new Error('The business-hours calendar has no working time');
}

/** The working minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: Date, to: Date, calendar: Calendar | null): number {
  if (to <= from) return 0;
  if (!calendar) return Math.floor((to.getTime() - from.getTime()) / 60_000);
  const { timezone, days, startMinute, endMinute } = calendar;
  const holidays = new Set(calendar.holidays);
  let total = 0;
  let day = new TZDate(from.getTime(), timezone);
  for (let i = 0; i < MAX_DAYS; i++) {
    const dayStart = at(day, 0, timezone);
    if (dayStart >= to.getTime()) break;
    if (days.includes(getISODay(day)) && !holidays.has(format(day, 'yyyy-MM-dd'))) {
      const open = Math.max(from.getTime(), at(day, startMinute, timezone));
      const close = Math.min(to.getTime(), at(day, endMinute, timezone));
      if (open < close) total += close - open;
    }
    day = addDays(day, 1);
  }
  return Math.floor(total / 60_000);
}
