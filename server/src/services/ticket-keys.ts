/**
 * Ticket keys (`OPS-12`) written in Markdown become links in the web app (decision 0052). This
 * answers which of a list of keys name tickets the caller may see, with the same visibility
 * condition every other ticket read uses (`visibleTicketsSql`): a key the caller may not see
 * and a key that names nothing get the same answer (absent), so neither existence nor title
 * leaks.
 */
import type { Executor } from '@laneway/db/client';
import { projects, tickets } from '@laneway/db/schema';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { visibleTicketsSql } from '../policy/load.ts';
import { TICKET_KEY, type ResolvedTicket } from '../schemas/tickets.ts';

/**
 * The tickets the actor may see among `keys` (well-formed, as the route's schema checks), in
 * key order; keys that name no visible ticket are left out.
 *
 * @example resolveTicketKeys(db, actor, ['OPS-1', 'SD-4']) // [{ key: 'OPS-1', id: 7, title: 'Printer' }]
 */
export async function resolveTicketKeys(
  db: Executor,
  actor: Actor,
  keys: readonly string[],
): Promise<ResolvedTicket[]> {
  const pairs = keys.flatMap((key) => {
    const match = TICKET_KEY.exec(key);
    return match ? [{ project: match[1]!, number: Number(match[2]) }] : [];
  });
  if (pairs.length === 0) return [];
  // One round trip, on projects' unique upper(key) index and tickets' unique (project_id, number).
  const wanted = sql`(upper(${projects.key}), ${tickets.number}) in (select e->>'project', (e->>'number')::int
    from jsonb_array_elements(${JSON.stringify(pairs)}::jsonb) e)`;
  const rows = await db
    .select({ id: tickets.id, title: tickets.title, project: projects.key, number: tickets.number })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(and(wanted, visibleTicketsSql(actor)))
    .orderBy(asc(projects.key), asc(tickets.number));
  return rows.map((r) => ({ key: `${r.project.toUpperCase()}-${r.number}`, id: r.id, title: r.title }));
}
