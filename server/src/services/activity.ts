/**
 * A ticket's activity tab: the `activity` rows `recordChange` writes with every change. Read
 * only; nothing here writes.
 */
import type { Executor } from '@laneway/db/client';
import { activity } from '@laneway/db/schema';
import { desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
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

/** A ticket's activity, newest first (by id: rows of one transaction share `created_at`). */
export async function listTicketActivity(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  const { ticket } = await requireTicket(db, actor, ticketId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: activity, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(activity)
    .where(eq(activity.ticketId, ticket.id))
    .orderBy(desc(activity.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeActivity(r.row)) };
}
