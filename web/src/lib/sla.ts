import type { Ticket } from '#lib/api/index.ts';

/** What a ticket's SLA badge says: the running clock and its time left, or a breach. */
export interface SlaView {
  clock: 'first_response' | 'resolution';
  /** Milliseconds left (negative once past due). */
  left: number;
  breached: boolean;
}

/**
 * The clock a ticket is running against now: first response until a staff reply, then
 * resolution until done; null when it has no SLA or nothing runs (responded and done). A clock
 * past due reads as breached at once, before the breach task's event arrives.
 */
export function slaView(ticket: Pick<Ticket, 'sla' | 'status'>, now: number): SlaView | null {
  const sla = ticket.sla;
  if (!sla) return null;
  const clock = sla.first_responded_at === null ? 'first_response' : ticket.status !== 'done' ? 'resolution' : null;
  if (!clock) return sla.breached ? { clock: 'resolution', left: 0, breached: true } : null;
  const due = new Date(clock === 'first_response' ? sla.first_response_due_at : sla.resolution_due_at).getTime();
  const left = due - now;
  return { clock, left, breached: sla.breached || left <= 0 };
}

/** Time left as "2 d 3 h", "3 h 05 m", "12 m". */
export function formatLeft(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${String(m).padStart(2, '0')} m`;
  return `${m} m`;
}
