import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMinutesBetween, type Calendar } from './business-hours.ts';

const weekdays = (timezone: string, holidays: string[] = []): Calendar => ({
  timezone,
  days: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 17 * 60,
  holidays,
});
const iso = (d: Date) => d.toISOString();

describe('addBusinessMinutes', () => {
  it('around the clock without a calendar', () => {
    expect(iso(addBusinessMinutes(new Date('2026-03-28T23:30:00Z'), 90, null))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('within one working day', () => {
    // Tuesday 10:00 in Berlin (CET, UTC+1) + 2 h = 12:00 local.
    expect(iso(addBusinessMinutes(new Date('2026-02-10T09:00:00Z'), 120, weekdays('Europe/Berlin')))).toBe(
      '2026-02-10T11:00:00.000Z',
    );
  });

  it('over a weekend (Europe/Berlin)', () => {
    // Friday 16:00 local + 2 h: one hour on Friday, one on Monday → Monday 10:00 CET.
    expect(iso(addBusinessMinutes(new Date('2026-02-13T15:00:00Z'), 120, weekdays('Europe/Berlin')))).toBe(
      '2026-02-16T09:00:00.000Z',
    );
  });

  it('a start outside hours counts from the next opening', () => {
    // Saturday noon in New York → Monday 09:00 EST (UTC-5) + 30 min.
    expect(iso(addBusinessMinutes(new Date('2026-02-14T17:00:00Z'), 30, weekdays('America/New_York')))).toBe(
      '2026-02-16T14:30:00.000Z',
    );
  });

  it('skips a holiday', () => {
    // Thursday 2026-12-24 16:00 Berlin + 3 h; the 25th (Fri) is a holiday: 1 h Thursday, 2 h Monday the 28th.
    const cal = weekdays('Europe/Berlin', ['2026-12-25']);
    expect(iso(addBusinessMinutes(new Date('2026-12-24T15:00:00Z'), 180, cal))).toBe('2026-12-28T10:00:00.000Z');
  });

  it('across the spring DST change in Europe/Berlin (29 March 2026)', () => {
    // Friday 27 March 16:00 CET (UTC+1) + 2 h → Monday 30 March 10:00 CEST (UTC+2) = 08:00Z.
    expect(iso(addBusinessMinutes(new Date('2026-03-27T15:00:00Z'), 120, weekdays('Europe/Berlin')))).toBe(
      '2026-03-30T08:00:00.000Z',
    );
  });

  it('across the autumn DST change in America/New_York (1 November 2026)', () => {
    // Friday 30 October 16:00 EDT (UTC-4) + 2 h → Monday 2 November 10:00 EST (UTC-5) = 15:00Z.
    expect(iso(addBusinessMinutes(new Date('2026-10-30T20:00:00Z'), 120, weekdays('America/New_York')))).toBe(
      '2026-11-02T15:00:00.000Z',
    );
  });

  it('across the spring DST change in America/New_York (8 March 2026), a weekend and a holiday', () => {
    // Friday 6 March 16:00 EST + 2 h; Monday the 9th is a holiday → Tuesday 10 March 10:00 EDT = 14:00Z.
    const cal = weekdays('America/New_York', ['2026-03-09']);
    expect(iso(addBusinessMinutes(new Date('2026-03-06T21:00:00Z'), 120, cal))).toBe('2026-03-10T14:00:00.000Z');
  });

  it('a 24-hour calendar on every day is wall-clock time even over a DST night', () => {
    const always: Calendar = {
      timezone: 'Europe/Berlin',
      days: [1, 2, 3, 4, 5, 6, 7],
      startMinute: 0,
      endMinute: 1440,
      holidays: [],
    };
    // Saturday 28 March 23:00 CET + 3 h of real time = 02:00Z on the 29th (04:00 CEST).
    expect(iso(addBusinessMinutes(new Date('2026-03-28T22:00:00Z'), 180, always))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('refuses a calendar with no working time', () => {
    const never: Calendar = { ...weekdays('Europe/Berlin'), days: [] };
    expect(() => addBusinessMinutes(new Date('2026-01-01T00:00:00Z'), 1, never)).toThrow(/no working time/);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only working minutes, and is the inverse of adding them', () => {
    const cal = weekdays('Europe/Berlin', ['2026-12-25']);
    const start = new Date('2026-12-24T15:00:00Z');
    expect(businessMinutesBetween(start, addBusinessMinutes(start, 180, cal), cal)).toBe(180);
    expect(businessMinutesBetween(start, new Date('2026-03-01T00:00:00Z'), cal)).toBe(0);
    // Friday 27 March 16:00 CET → Monday 30 March 10:00 CEST: one hour each side of the DST weekend.
    expect(
      businessMinutesBetween(
        new Date('2026-03-27T15:00:00Z'),
        new Date('2026-03-30T08:00:00Z'),
        weekdays('Europe/Berlin'),
      ),
    ).toBe(120);
  });
});
