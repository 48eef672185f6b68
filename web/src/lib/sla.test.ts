import { describe, expect, it } from 'vitest';
import { formatLeft, slaView } from './sla.ts';

const sla = {
  first_response_due_at: '2026-12-07T10:00:00.000Z',
  resolution_due_at: '2026-12-07T18:00:00.000Z',
  first_responded_at: null as string | null,
  breached: false,
};
const at = (iso: string) => new Date(iso).getTime();

describe('slaView', () => {
  it('runs the first-response clock, then resolution, then nothing once done', () => {
    expect(slaView({ sla: null, status: 'todo' }, 0)).toBeNull();
    expect(slaView({ sla, status: 'todo' }, at('2026-12-07T09:00:00Z'))).toEqual({
      clock: 'first_response',
      left: 3_600_000,
      breached: false,
    });
    const replied = { ...sla, first_responded_at: '2026-12-07T09:30:00Z' };
    expect(slaView({ sla: replied, status: 'in_progress' }, at('2026-12-07T17:00:00Z'))).toMatchObject({
      clock: 'resolution',
      breached: false,
    });
    expect(slaView({ sla: replied, status: 'done' }, at('2026-12-08T00:00:00Z'))).toBeNull();
  });

  it('reads as breached once past due, or when the server says so', () => {
    expect(slaView({ sla, status: 'todo' }, at('2026-12-07T10:00:01Z'))?.breached).toBe(true);
    expect(slaView({ sla: { ...sla, breached: true }, status: 'todo' }, at('2026-12-07T09:00:00Z'))?.breached).toBe(
      true,
    );
  });
});

describe('formatLeft', () => {
  it('rounds up to whole minutes', () => {
    expect(formatLeft(61_000)).toBe('2 m');
    expect(formatLeft(3_600_000 + 5 * 60_000)).toBe('1 h 05 m');
    expect(formatLeft(2 * 86_400_000 + 3 * 3_600_000)).toBe('2 d 3 h');
    expect(formatLeft(-5)).toBe('0 m');
  });
});
