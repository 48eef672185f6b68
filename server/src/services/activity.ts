/**
 * A ticket's activity tab: the `activity` rows `recordChange` writes with every change. Read
 * only; nothing here writes.
 */
import type { Executor } from '@laneway/db/client';
import { activity } from '@laneway/db/schema';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { isStaff } from '../policy/index.ts';
import type { Changed } from '../realtime/events.ts';
import { requireTicket } from './tickets.ts';

export type ActivityRow = typeof activity.$inferSelect;

export function serializeActivity(a: ActivityRow) {
  return {
    id: a.id,
    ticket: a.ticketId,
    actor: a.actorId,
    verb: a.verb,
    data: (a.data ?? {}) as Record<string, unknown>,
    created_at: a.createdAt.toISOString(),
  };
}
export type ActivityJson = ReturnType<typeof serializeActivity>;

/**
 * An activity entry as a company person may read it: a company change names only their own
 * companies; another client's id (where the ticket came from or went) reads as null.
 */
function forCompanyPerson(entry: ActivityJson, own: number[]): ActivityJson {
  const changed = (entry.data as { changed?: Changed }).changed;
  if (!changed?.company) return entry;
  const hide = (id: unknown) => (typeof id === 'number' && !own.includes(id) ? null : id);
  const company: [unknown, unknown] = [hide(changed.company[0]), hide(changed.company[1])];
  return { ...entry, data: { ...entry.data, changed: { ...changed, company } } };
}

/**
 * A ticket's activity, newest first (by id: rows of one transaction share `created_at`); for
 * company people without foreign company ids (issue 14, tenant isolation) and without the rows
 * of internal notes (`data.internal`, decision 0037).
 */
export async function listTicketActivity(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: activity, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(activity)
    .where(
      and(
        eq(activity.ticketId, ticket.id),
        isStaff(access) ? undefined : sql`(${activity.data} ->> 'internal') is distinct from 'true'`,
      ),
    )
    .orderBy(desc(activity.id))
    .limit(limit)
    .offset(offset);
  const results = rows.map((r) => serializeActivity(r.row));
  return {
    count: rows[0]?.total ?? 0,
    results: isStaff(access) ? results : results.map((entry) => forCompanyPerson(entry, access.companyIds)),
  };
}
