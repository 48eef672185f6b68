/**
 * Relations between tickets (SPEC §14): relates / blocks / duplicates, stored once in the active
 * direction and read from either end (blocked_by, duplicated_by). Both ends must be tickets the
 * caller can see (a relation to one they cannot see answers 404 and stores nothing), and the
 * caller must be allowed to edit the `from` ticket. Listing shows only relations whose other end
 * the caller can see, so company people never learn of tickets outside their companies.
 */
import type { Db, Executor, Tx } from '@laneway/db/client';
import { projects, ticketRelations, tickets } from '@laneway/db/schema';
import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, notFound } from '../lib/errors.ts';
import { pageOfArray, type PageParams } from '../lib/pagination.ts';
import { authorize, canEditTicket } from '../policy/index.ts';
import { visibleTicketsSql } from '../policy/load.ts';
import type { Relation, RelationChange } from '../schemas/relations.ts';
import { recordChange } from './changes.ts';
import { transact } from './publish.ts';
import { factsOf, readTicket, requireTicket, type TicketRecord } from './tickets.ts';

type Kind = RelationChange['kind'];
const INVERSE = { relates: 'relates', blocks: 'blocked_by', duplicates: 'duplicated_by' } as const;

/** A ticket's relations whose other end the actor can see, oldest first. */
export async function listRelations(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  await requireTicket(db, actor, ticketId);
  const r = ticketRelations;
  const rows = await db
    .select({
      id: r.id,
      kind: r.kind,
      from: r.fromTicketId,
      createdAt: r.createdAt,
      other: {
        id: tickets.id,
        number: tickets.number,
        title: tickets.title,
        status: tickets.status,
        project: tickets.projectId,
      },
      key: projects.key,
    })
    .from(r)
    .innerJoin(
      tickets,
      sql`${tickets.id} = case when ${r.fromTicketId} = ${ticketId} then ${r.toTicketId} else ${r.fromTicketId} end`,
    )
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(and(or(eq(r.fromTicketId, ticketId), eq(r.toTicketId, ticketId)), visibleTicketsSql(actor)))
    .orderBy(asc(r.id));
  const out: Relation[] = rows.map(({ other, ...row }) => ({
    id: row.id,
    kind: row.from === ticketId ? row.kind : INVERSE[row.kind],
    ticket: {
      id: other.id,
      key: `${row.key}-${other.number}`,
      title: other.title,
      status: other.status,
      project: other.project,
    },
    created_at: row.createdAt.toISOString(),
  }));
  return pageOfArray(out, page);
}

const key = (t: TicketRecord) => `${t.projectKey}-${t.number}`;

/** Records a relation change on the `from` ticket's project, and on the `to` ticket's when it differs. */
async function record(
  tx: Tx,
  actor: Actor,
  verb: 'relation.created' | 'relation.deleted',
  id: number,
  kind: Kind,
  from: TicketRecord,
  to: TicketRecord,
) {
  const payload: RelationChange = {
    id,
    kind,
    from: from.id,
    to: to.id,
    from_key: key(from),
    to_key: key(to),
    to_blocked: (await readTicket(tx, to.id)).blocked,
  };
  const data = { relation: id, kind, from: from.id, to: to.id };
  await recordChange(tx, { projectId: from.projectId, ticketId: from.id, actorId: actor.id, verb, data, payload });
  if (to.projectId !== from.projectId) {
    await recordChange(tx, { projectId: to.projectId, ticketId: to.id, actorId: actor.id, verb, data, payload });
  }
}

/** Links the path ticket to another: `kind` reads from the path ticket (it blocks / duplicates / relates to `other`). */
export async function addRelation(
  db: Db,
  actor: Actor,
  ticketId: number,
  input: { kind: Kind; ticket: number },
): Promise<Relation> {
  const { ticket: from, access } = await requireTicket(db, actor, ticketId);
  // The other end first: a ticket the caller cannot see is a 404 whatever else is wrong.
  const { ticket: to } = await requireTicket(db, actor, input.ticket);
  authorize(true, canEditTicket(access, factsOf(from)), 'You may not edit this ticket');
  if (from.id === to.id) throw badRequest('A ticket cannot be related to itself', { ticket: ['Another ticket'] });
  return transact(db, async (tx) => {
    const [row] = await tx
      .insert(ticketRelations)
      .values({ fromTicketId: from.id, toTicketId: to.id, kind: input.kind, createdBy: actor.id })
      .returning();
    await record(tx, actor, 'relation.created', row!.id, input.kind, from, to);
    return {
      id: row!.id,
      kind: input.kind,
      ticket: { id: to.id, key: key(to), title: to.title, status: to.status, project: to.projectId },
      created_at: row!.createdAt.toISOString(),
    };
  });
}

/** Removes a relation: both ends must be visible (else 404), the `from` ticket editable (else 403). */
export async function deleteRelation(db: Db, actor: Actor, id: number): Promise<void> {
  const [row] = await db.select().from(ticketRelations).where(eq(ticketRelations.id, id));
  if (!row) throw notFound();
  const { ticket: from, access } = await requireTicket(db, actor, row.fromTicketId);
  const { ticket: to } = await requireTicket(db, actor, row.toTicketId);
  authorize(true, canEditTicket(access, factsOf(from)), 'You may not edit this ticket');
  await transact(db, async (tx) => {
    await tx.delete(ticketRelations).where(eq(ticketRelations.id, id));
    await record(tx, actor, 'relation.deleted', id, row.kind, from, to);
  });
}
