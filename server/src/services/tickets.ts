/**
 * Tickets: the only module that writes the `tickets` table. Each write is one transaction that
 * checks the version, changes the row (and its assignee/tag links), and records the change
 * (activity row + board event) before commit.
 */
import { transact } from './publish.ts';
import type { Db, Executor, Tx } from '@laneway/db/client';
import {
  columns,
  contacts,
  projectCompanies,
  projects,
  tags,
  ticketAssignees,
  ticketTags,
  tickets,
  userRoles,
} from '@laneway/db/schema';
import { and, asc, desc, eq, getTableColumns, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../lib/actor.ts';
import { assertAllFound } from '../lib/refs.ts';
import { pgArray } from '../lib/sql-array.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { containsPattern, pageWindow, type PageParams } from '../lib/pagination.ts';
import {
  authorize,
  canArchive,
  canAssign,
  canCreateTicket,
  canDeleteTicket,
  canEditTicket,
  canSeeTicket,
  isStaff,
  type ProjectAccess,
  type ProjectRole,
  type TicketFacts,
} from '../policy/index.ts';
import { linkedCompaniesSql, roleSql, visibleTicketsSql } from '../policy/load.ts';
import { commitChange, recordChange, recordChanges } from './changes.ts';
import type { ColumnCategory } from '@laneway/db/schema';
import { notifyAssigned, notifyDone } from './notifications.ts';
import { keyBetween, keysAfter } from './ordering.ts';

const assigneesSql = sql<number[]>`coalesce((select array_agg(a.user_id order by a.user_id)
  from ticket_assignees a where a.ticket_id = ${tickets.id}), '{}'::int[])`;
const tagIdsSql = sql<number[]>`coalesce((select array_agg(g.tag_id order by g.tag_id)
  from ticket_tags g where g.ticket_id = ${tickets.id}), '{}'::int[])`;

/** Everything the API shows of a ticket, in one select. */
export const ticketFields = {
  ...getTableColumns(tickets),
  projectKey: projects.key,
  assignees: assigneesSql,
  tagIds: tagIdsSql,
};

export type TicketRecord = typeof tickets.$inferSelect & { projectKey: string; assignees: number[]; tagIds: number[] };

export function serializeTicket(t: TicketRecord) {
  return {
    id: t.id,
    project: t.projectId,
    number: t.number,
    key: `${t.projectKey}-${t.number}`,
    title: t.title,
    description: t.description,
    column: t.columnId,
    position: t.position,
    priority_id: t.priorityId,
    company: t.companyId,
    contact: t.contactId,
    reporter: t.reporterId,
    assignees: t.assignees,
    tags: t.tagIds,
    due_at: t.dueAt?.toISOString() ?? null,
    status: t.status,
    done_at: t.doneAt?.toISOString() ?? null,
    is_archived: t.isArchived,
    archived_at: t.archivedAt?.toISOString() ?? null,
    version: t.version,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
export type TicketJson = ReturnType<typeof serializeTicket>;

export const factsOf = (t: TicketRecord): TicketFacts => ({
  companyId: t.companyId,
  reporterId: t.reporterId,
  assigneeIds: t.assignees,
});

function selectTickets(db: Executor) {
  return db.select(ticketFields).from(tickets).innerJoin(projects, eq(projects.id, tickets.projectId));
}

async function readTicket(db: Executor, id: number): Promise<TicketRecord> {
  const [row] = await selectTickets(db).where(eq(tickets.id, id));
  if (!row) throw notFound();
  return row;
}

/** What the actor is to a ticket's project, as extra fields of a ticket select. */
function accessFields(actor: Actor) {
  return {
    role: roleSql(sql`${tickets.projectId}`, actor.id),
    companyIds: linkedCompaniesSql(sql`${tickets.projectId}`, actor.id).mapWith((v: number[]) => v),
  };
}

/** Splits a row of `ticketFields` + `accessFields` and answers 404 when the actor may not see it. */
function visibleTicket<R extends TicketRecord & { role: ProjectRole | null; companyIds: number[] }>(
  actor: Actor,
  row: R | undefined,
): { ticket: TicketRecord; access: ProjectAccess; row: R } {
  if (!row) throw notFound();
  const { role, companyIds, ...rest } = row;
  const ticket: TicketRecord = rest;
  const access: ProjectAccess = {
    projectId: ticket.projectId,
    actorId: actor.id,
    superuser: actor.isSuperuser,
    role,
    companyIds,
  };
  if (!canSeeTicket(access, factsOf(ticket))) throw notFound();
  return { ticket, access, row };
}

/**
 * Loads a ticket together with what the actor is to its project, in one round trip, and
 * answers 404 when the actor may not see it.
 */
export async function requireTicket(
  db: Executor,
  actor: Actor,
  id: number,
): Promise<{ ticket: TicketRecord; access: ProjectAccess }> {
  const [row] = await db
    .select({ ...ticketFields, ...accessFields(actor) })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(eq(tickets.id, id));
  const { ticket, access } = visibleTicket(actor, row);
  return { ticket, access };
}

/**
 * A ticket as `GET /tickets/{id}/` shows it: the ticket and its project topic's seq, read in
 * one statement (one snapshot), so a client that subscribes from that seq misses nothing.
 */
export async function getTicketWithSeq(db: Executor, actor: Actor, id: number): Promise<TicketJson & { seq: number }> {
  const [row] = await db
    .select({
      ...ticketFields,
      ...accessFields(actor),
      seq: sql<number>`coalesce((select s.seq from topic_seqs s where s.topic = 'project:' || ${tickets.projectId}), 0)`.mapWith(
        Number,
      ),
    })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(eq(tickets.id, id));
  const { ticket } = visibleTicket(actor, row);
  return { ...serializeTicket(ticket), seq: row!.seq };
}

// Reference checks: every id in a body must belong to the ticket's project.

async function checkColumn(db: Executor, projectId: number, columnId: number) {
  const [col] = await db
    .select({ id: columns.id, category: columns.category })
    .from(columns)
    .where(and(eq(columns.id, columnId), eq(columns.projectId, projectId)));
  if (!col) throw badRequest('Unknown column', { column: [`No column ${columnId} in this project`] });
  return col;
}

async function firstColumn(db: Executor, projectId: number) {
  const [col] = await db
    .select({ id: columns.id, category: columns.category })
    .from(columns)
    .where(eq(columns.projectId, projectId))
    .orderBy(sql`${columns.category} <> 'todo'`, asc(columns.position))
    .limit(1);
  if (!col) throw conflict('This project has no columns');
  return col;
}

async function checkAssignees(db: Executor, projectId: number, ids: number[]) {
  if (!ids.length) return;
  const found = await db
    .select({ id: userRoles.userId })
    .from(userRoles)
    .where(and(eq(userRoles.projectId, projectId), inArray(userRoles.userId, ids)));
  assertAllFound(ids, found, 'assignees', 'Assignees must be project members', (id) => `User ${id} is not a member`);
}

async function checkTags(db: Executor, projectId: number, ids: number[]) {
  if (!ids.length) return;
  const found = await db
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.projectId, projectId), inArray(tags.id, ids)));
  assertAllFound(ids, found, 'tags', 'Unknown tags', (id) => `No tag ${id} in this project`);
}

async function checkCompany(db: Executor, projectId: number, companyId: number | null) {
  if (companyId === null) return;
  const [link] = await db
    .select({ id: projectCompanies.companyId })
    .from(projectCompanies)
    .where(and(eq(projectCompanies.projectId, projectId), eq(projectCompanies.companyId, companyId)));
  if (!link) throw badRequest('Company is not linked to this project', { company: [`Company ${companyId}`] });
}

async function checkContact(db: Executor, contactId: number | null, companyId: number | null) {
  if (contactId === null) return;
  const [contact] = await db.select({ companyId: contacts.companyId }).from(contacts).where(eq(contacts.id, contactId));
  if (!contact) throw badRequest('Unknown contact', { contact: [`No contact ${contactId}`] });
  if (companyId !== null && contact.companyId !== null && contact.companyId !== companyId) {
    throw badRequest('Contact belongs to another company', { contact: ['Company mismatch'] });
  }
}

async function setLinks(tx: Tx, ticketId: number, assignees?: number[], tagIds?: number[]) {
  if (assignees) {
    await tx.delete(ticketAssignees).where(eq(ticketAssignees.ticketId, ticketId));
    if (assignees.length) await tx.insert(ticketAssignees).values(assignees.map((userId) => ({ ticketId, userId })));
  }
  if (tagIds) {
    await tx.delete(ticketTags).where(eq(ticketTags.ticketId, ticketId));
    if (tagIds.length) await tx.insert(ticketTags).values(tagIds.map((tagId) => ({ ticketId, tagId })));
  }
}

const unique = (ids: number[] | undefined) => (ids ? [...new Set(ids)].sort((a, b) => a - b) : undefined);

/** `done_at` follows the column: set on entering a done column, kept inside, cleared on leaving. */
const doneAtFor = (category: ColumnCategory) => (category === 'done' ? sql`coalesce(${tickets.doneAt}, now())` : null);

/** Postgres unique violation on the per-column position index: two drops picked one key. */
function isPositionClash(error: unknown): boolean {
  const e = (error as { cause?: unknown })?.cause ?? error;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { code?: string }).code === '23505' &&
    (e as { constraint_name?: string }).constraint_name === 'tickets_column_position_uq'
  );
}

/** Runs a positioning transaction, again with a fresh key if it drew one a concurrent write took. */
async function withPositionRetry<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await transact(db, fn);
    } catch (error) {
      if (!isPositionClash(error) || attempt >= 4) throw error;
    }
  }
}

/** Key for the end (or top) of a column, ignoring `exceptId` (the ticket being moved). */
async function edgeKey(tx: Executor, columnId: number, at: 'top' | 'bottom', exceptId?: number) {
  const [edge] = await tx
    .select({ position: tickets.position })
    .from(tickets)
    .where(and(eq(tickets.columnId, columnId), exceptId ? ne(tickets.id, exceptId) : undefined))
    .orderBy(at === 'bottom' ? desc(tickets.position) : asc(tickets.position))
    .limit(1);
  const key = edge?.position ?? null;
  return at === 'bottom' ? keyBetween({ lower: key, upper: null }) : keyBetween({ lower: null, upper: key });
}

export interface NewTicket {
  project: number;
  title: string;
  description?: string | undefined;
  column?: number | undefined;
  priority_id?: number | undefined;
  company?: number | null | undefined;
  contact?: number | null | undefined;
  assignees?: number[] | undefined;
  tags?: number[] | undefined;
  due_at?: string | null | undefined;
  at?: 'top' | 'bottom' | undefined;
}

export async function createTicket(db: Db, actor: Actor, access: ProjectAccess, input: NewTicket): Promise<TicketJson> {
  // Company people file tickets for their own company; with one company it is implied.
  let companyId = input.company ?? null;
  if (!isStaff(access) && companyId === null && access.companyIds.length === 1) companyId = access.companyIds[0]!;
  authorize(true, canCreateTicket(access, companyId), 'You may not create tickets here');
  const assignees = unique(input.assignees) ?? [];
  if (assignees.length) authorize(true, canAssign(access), 'Only admins assign work');
  const tagIds = unique(input.tags) ?? [];
  const projectId = access.projectId;
  const column = input.column ? await checkColumn(db, projectId, input.column) : await firstColumn(db, projectId);
  await Promise.all([
    checkAssignees(db, projectId, assignees),
    checkTags(db, projectId, tagIds),
    checkCompany(db, projectId, companyId),
    checkContact(db, input.contact ?? null, companyId),
  ]);
  return withPositionRetry(db, async (tx) => {
    // The project row lock hands out numbers in order and serialises creates per project.
    const [seq] = await tx
      .update(projects)
      .set({ ticketSeq: sql`${projects.ticketSeq} + 1` })
      .where(eq(projects.id, projectId))
      .returning({ n: projects.ticketSeq });
    const [row] = await tx
      .insert(tickets)
      .values({
        projectId,
        number: seq!.n,
        title: input.title,
        description: input.description ?? '',
        columnId: column.id,
        position: await edgeKey(tx, column.id, input.at ?? 'bottom'),
        priorityId: input.priority_id ?? 2,
        companyId,
        contactId: input.contact ?? null,
        reporterId: actor.id,
        dueAt: input.due_at ? new Date(input.due_at) : null,
        status: column.category,
        doneAt: column.category === 'done' ? sql`now()` : null,
      })
      .returning({ id: tickets.id });
    await setLinks(tx, row!.id, assignees, tagIds);
    const json = serializeTicket(await readTicket(tx, row!.id));
    await recordChange(tx, {
      projectId,
      ticketId: json.id,
      actorId: actor.id,
      verb: 'ticket.created',
      data: { number: json.number, title: json.title, column: json.column },
      payload: json,
    });
    await notifyAssigned(tx, actor, json, json.assignees);
    return json;
  });
}

/** Every field of a new ticket but its project and placement, plus the version precondition. */
export type TicketPatch = Partial<Omit<NewTicket, 'project' | 'at'>> & { version?: number | undefined };

function staleVersion(current: number) {
  return conflict('The ticket was changed by someone else; reload it', { version: current });
}

/**
 * Edits a ticket. A given `version` must match the stored one (else 409 with the current
 * version); a `column` different from the current one moves the ticket to that column's end.
 */
export async function updateTicket(db: Db, actor: Actor, id: number, patch: TicketPatch): Promise<TicketJson> {
  const { ticket, access } = await requireTicket(db, actor, id);
  authorize(true, canEditTicket(access, factsOf(ticket)));
  const assignees = unique(patch.assignees);
  const tagIds = unique(patch.tags);
  if (assignees && assignees.join() !== ticket.assignees.join()) {
    authorize(true, canAssign(access), 'Only admins assign work');
  }
  if (patch.version !== undefined && patch.version !== ticket.version) throw staleVersion(ticket.version);
  const companyId = patch.company !== undefined ? patch.company : ticket.companyId;
  const contactId = patch.contact !== undefined ? patch.contact : ticket.contactId;
  const projectId = ticket.projectId;
  const column =
    patch.column !== undefined && patch.column !== ticket.columnId
      ? await checkColumn(db, projectId, patch.column)
      : null;
  await Promise.all([
    assignees ? checkAssignees(db, projectId, assignees) : null,
    tagIds ? checkTags(db, projectId, tagIds) : null,
    patch.company !== undefined ? checkCompany(db, projectId, companyId) : null,
    patch.contact !== undefined || patch.company !== undefined ? checkContact(db, contactId, companyId) : null,
  ]);
  return withPositionRetry(db, async (tx) => {
    const values: Partial<typeof tickets.$inferInsert> & Record<string, unknown> = {};
    const changed: Record<string, [unknown, unknown]> = {};
    const set = <K extends keyof typeof tickets.$inferInsert>(
      key: K,
      apiName: string,
      next: unknown,
      prev: unknown,
    ) => {
      if (JSON.stringify(next) === JSON.stringify(prev)) return;
      values[key] = next as never;
      changed[apiName] = [prev, next];
    };
    if (patch.title !== undefined) set('title', 'title', patch.title, ticket.title);
    if (patch.description !== undefined) set('description', 'description', patch.description, ticket.description);
    if (patch.priority_id !== undefined) set('priorityId', 'priority_id', patch.priority_id, ticket.priorityId);
    if (patch.company !== undefined) set('companyId', 'company', patch.company, ticket.companyId);
    if (patch.contact !== undefined) set('contactId', 'contact', patch.contact, ticket.contactId);
    if (patch.due_at !== undefined) {
      const next = patch.due_at ? new Date(patch.due_at) : null;
      if ((next?.getTime() ?? null) !== (ticket.dueAt?.getTime() ?? null)) {
        values.dueAt = next;
        changed.due_at = [ticket.dueAt?.toISOString() ?? null, next?.toISOString() ?? null];
      }
    }
    if (column) {
      values.columnId = column.id;
      values.position = await edgeKey(tx, column.id, 'bottom', id);
      values.status = column.category;
      values.doneAt = doneAtFor(column.category) as never;
      changed.column = [ticket.columnId, column.id];
    }
    if (assignees && assignees.join() !== ticket.assignees.join()) changed.assignees = [ticket.assignees, assignees];
    if (tagIds && tagIds.join() !== ticket.tagIds.join()) changed.tags = [ticket.tagIds, tagIds];
    if (!Object.keys(changed).length) return serializeTicket(ticket);
    const updated = await tx
      .update(tickets)
      .set({ ...values, version: sql`${tickets.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(tickets.id, id), eq(tickets.version, ticket.version)))
      .returning({ id: tickets.id });
    if (!updated.length) throw staleVersion(ticket.version + 1);
    await setLinks(tx, id, changed.assignees ? assignees : undefined, changed.tags ? tagIds : undefined);
    const json = serializeTicket(await readTicket(tx, id));
    await recordChange(tx, {
      projectId,
      ticketId: id,
      actorId: actor.id,
      verb: column ? 'ticket.moved' : 'ticket.updated',
      data: { changed },
      payload: json,
    });
    if (changed.assignees)
      await notifyAssigned(
        tx,
        actor,
        json,
        json.assignees.filter((a) => !ticket.assignees.includes(a)),
      );
    if (column?.category === 'done' && ticket.status !== 'done') await notifyDone(tx, actor, json, column.id);
    return json;
  });
}

export interface MoveTarget {
  column: number;
  before?: number | undefined;
  after?: number | undefined;
  version?: number | undefined;
}

/**
 * Moves a ticket next to its named neighbours (see ordering.ts for the rule). After the
 * session, two statements: one reads the ticket, the caller's access and the neighbour keys
 * (`readForMove`); one writes the ticket row, its activity row and its event together
 * (`commitChange`), guarded by the version read. A stale `version` is a 409 that changes
 * nothing, and so is a concurrent edit between the read and the write. The event payload is
 * built here from the row as it will be, which the version guard makes exact.
 */
export async function moveTicket(db: Db, actor: Actor, id: number, target: MoveTarget): Promise<TicketJson> {
  if (target.before === id || target.after === id) {
    throw badRequest('A ticket cannot be its own neighbour', { before: ['Must be another ticket'] });
  }
  for (let attempt = 0; ; attempt++) {
    const { ticket, access, place } = await readForMove(db, actor, id, target);
    authorize(true, canEditTicket(access, factsOf(ticket)));
    if (target.version !== undefined && target.version !== ticket.version) throw staleVersion(ticket.version);
    if (ticket.isArchived) throw conflict('Unarchive the ticket before moving it');
    const now = new Date();
    const doneAt = place.category === 'done' ? (ticket.doneAt ?? now) : null;
    const json = serializeTicket({
      ...ticket,
      columnId: target.column,
      position: place.position,
      status: place.category,
      doneAt,
      version: ticket.version + 1,
      updatedAt: now,
    });
    const write = sql`update tickets set column_id = ${target.column}, position = ${place.position},
      status = ${place.category}::column_category, done_at = ${doneAt?.toISOString() ?? null}::timestamptz,
      version = version + 1, updated_at = ${now.toISOString()}::timestamptz
      where id = ${id} and version = ${ticket.version} returning id`;
    const change = {
      projectId: ticket.projectId,
      ticketId: id,
      actorId: actor.id,
      verb: 'ticket.moved',
      data: { from_column: ticket.columnId, to_column: target.column, position: place.position },
      payload: json,
    };
    // Entering done notifies people, in the move's transaction; every other move is one statement.
    const enteringDone = place.category === 'done' && ticket.status !== 'done';
    try {
      const event = enteringDone
        ? await transact(db, async (tx) => {
            const done = await commitChange(tx, write, change);
            if (done) await notifyDone(tx, actor, json, target.column);
            return done;
          })
        : await commitChange(db, write, change);
      if (!event) throw staleVersion(ticket.version + 1);
      return json;
    } catch (error) {
      // Two drops drew the same jittered key: draw again.
      if (!isPositionClash(error) || attempt >= 4) throw error;
    }
  }
}

/**
 * One query for a move: the ticket, the caller's access to it, the target column (which must
 * be in the ticket's project), the named neighbour's key and the key on its other side.
 */
async function readForMove(db: Executor, actor: Actor, id: number, target: MoveTarget) {
  const field = target.after !== undefined ? 'after' : target.before !== undefined ? 'before' : null;
  const named = field === 'after' ? target.after! : field === 'before' ? target.before! : null;
  // With both neighbours named, `after` places the card; `before` must still be a card there.
  const other = field === 'after' && target.before !== undefined ? target.before : null;
  const c = alias(columns, 'target_column');
  const n = alias(tickets, 'neighbour');
  // min/max over (column_id, position) use the index and the column's C collation.
  const others = sql`o.column_id = ${c.id} and o.id <> ${id}`;
  const edge =
    field === 'after'
      ? sql<string | null>`(select min(o.position) from tickets o where ${others} and o.position > ${n.position})`
      : field === 'before'
        ? sql<string | null>`(select max(o.position) from tickets o where ${others} and o.position < ${n.position})`
        : sql<string | null>`(select max(o.position) from tickets o where ${others})`;
  const [found] = await db
    .select({
      ...ticketFields,
      ...accessFields(actor),
      targetCategory: c.category,
      neighbour: n.position,
      neighbourColumn: n.columnId,
      edge,
      otherOk:
        other === null
          ? sql<boolean>`true`
          : sql<boolean>`exists (select 1 from tickets b where b.id = ${other} and b.column_id = ${c.id})`,
    })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .leftJoin(c, and(eq(c.id, target.column), eq(c.projectId, tickets.projectId)))
    .leftJoin(n, eq(n.id, named ?? 0))
    .where(eq(tickets.id, id));
  const { ticket, access, row } = visibleTicket(actor, found);
  if (row.targetCategory === null) {
    throw badRequest('Unknown column', { column: [`No column ${target.column} in this project`] });
  }
  if (field && row.neighbourColumn !== target.column) {
    throw badRequest('Neighbour is not in the target column', { [field]: [`Ticket ${named} is not in that column`] });
  }
  if (!row.otherOk) {
    throw badRequest('Neighbour is not in the target column', { before: [`Ticket ${other} is not in that column`] });
  }
  const position =
    field === 'after'
      ? keyBetween({ lower: row.neighbour, upper: row.edge })
      : field === 'before'
        ? keyBetween({ lower: row.edge, upper: row.neighbour })
        : keyBetween({ lower: row.edge, upper: null });
  return { ticket, access, place: { category: row.targetCategory, position } };
}

/** Archives or unarchives; archiving is idempotent and keeps the ticket's place. */
export async function setArchived(db: Db, actor: Actor, id: number, archived: boolean): Promise<TicketJson> {
  const { ticket, access } = await requireTicket(db, actor, id);
  authorize(true, canArchive(access), 'Only admins archive tickets');
  if (ticket.isArchived === archived) return serializeTicket(ticket);
  return transact(db, async (tx) => {
    await tx
      .update(tickets)
      .set({
        isArchived: archived,
        archivedAt: archived ? sql`now()` : null,
        version: sql`${tickets.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(tickets.id, id));
    const json = serializeTicket(await readTicket(tx, id));
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: id,
      actorId: actor.id,
      verb: archived ? 'ticket.archived' : 'ticket.unarchived',
      data: {},
      payload: json,
    });
    return json;
  });
}

/**
 * The archiving job's work (SPEC §7): archives tickets that have been done for longer than their
 * project's `archive_after_hours` (else `defaultHours`), in batches of at most `batchSize`, each
 * batch one transaction with its activity rows and `ticket.archived` events. Tickets being
 * edited are skipped (SKIP LOCKED) and caught on the next run; running twice archives nothing
 * more. Returns how many were archived.
 */
export async function archiveDueTickets(db: Db, options: { defaultHours: number; batchSize: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const archived = await transact(db, async (tx) => {
      const picked = await tx.execute<{ id: number }>(sql`
        update tickets t set is_archived = true, archived_at = now(), version = t.version + 1, updated_at = now()
        where t.id in (
          select d.id from tickets d join projects p on p.id = d.project_id
          where not d.is_archived and d.status = 'done' and d.done_at is not null
            and d.done_at < now() - make_interval(hours => coalesce(p.archive_after_hours, ${options.defaultHours}))
          order by d.id limit ${options.batchSize}
          for update of d skip locked)
        returning t.id`);
      if (!picked.length) return 0;
      const rows = await selectTickets(tx)
        .where(
          inArray(
            tickets.id,
            picked.map((r) => r.id),
          ),
        )
        .orderBy(asc(tickets.id));
      await recordChanges(
        tx,
        rows.map((row) => ({
          projectId: row.projectId,
          ticketId: row.id,
          actorId: null,
          verb: 'ticket.archived',
          data: { automatic: true, done_at: row.doneAt?.toISOString() ?? null },
          payload: serializeTicket(row),
        })),
      );
      return rows.length;
    });
    total += archived;
    if (archived < options.batchSize) return total;
  }
}

/**
 * Moves every ticket of a column, archived ones too, to the end of another column of the same
 * project, keeping their order, in the caller's transaction: one `ticket.moved` event and
 * activity row each. For deleting a column with "move its cards to" (nobody is notified: it is
 * a reorganisation, not work done). Returns how many moved.
 */
export async function moveColumnTickets(
  tx: Tx,
  actor: Actor,
  from: { id: number; projectId: number },
  to: { id: number; category: ColumnCategory },
): Promise<number> {
  const moving = await tx.execute<{ id: number; position: string }>(sql`
    select id, position from tickets where column_id = ${from.id} order by position for update`);
  if (!moving.length) return 0;
  const [last] = await tx.execute<{ position: string | null }>(sql`
    select max(position) as position from tickets where column_id = ${to.id}`);
  const keys = keysAfter(last?.position ?? null, moving.length);
  const done = to.category === 'done';
  await tx.execute(sql`
    update tickets t set column_id = ${to.id}, position = m.position, status = ${to.category}::column_category,
      done_at = case when ${done} then coalesce(t.done_at, now()) else null end,
      version = t.version + 1, updated_at = now()
    from unnest(${pgArray(
      moving.map((m) => m.id),
      'int',
    )}, ${pgArray(keys, 'text')}) as m(id, position)
    where t.id = m.id`);
  const rows = await selectTickets(tx)
    .where(
      inArray(
        tickets.id,
        moving.map((m) => m.id),
      ),
    )
    .orderBy(asc(tickets.position));
  await recordChanges(
    tx,
    rows.map((row) => ({
      projectId: row.projectId,
      ticketId: row.id,
      actorId: actor.id,
      verb: 'ticket.moved',
      data: { from_column: from.id, to_column: to.id, position: row.position, column_deleted: true },
      payload: serializeTicket(row),
    })),
  );
  return rows.length;
}

export async function deleteTicket(db: Db, actor: Actor, id: number): Promise<void> {
  const { ticket, access } = await requireTicket(db, actor, id);
  authorize(true, canDeleteTicket(access), 'Only superadmins delete tickets');
  await transact(db, async (tx) => {
    await tx.delete(tickets).where(eq(tickets.id, id));
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'ticket.deleted',
      data: { ticket: id, number: ticket.number, title: ticket.title },
      payload: { id, number: ticket.number, key: `${ticket.projectKey}-${ticket.number}`, company: ticket.companyId },
    });
  });
}

export const TICKET_ORDERING = ['created_at', 'updated_at', 'priority_id', 'due_at', 'number'] as const;
const ticketOrderColumns = {
  created_at: tickets.createdAt,
  updated_at: tickets.updatedAt,
  priority_id: tickets.priorityId,
  due_at: tickets.dueAt,
  number: tickets.number,
};

export interface TicketFilters {
  project?: number | undefined;
  status?: ColumnCategory | undefined;
  priority_id?: number | undefined;
  company?: number | undefined;
  column?: number | undefined;
  tag?: number | undefined;
  assignee?: number | undefined;
  is_archived?: boolean | undefined;
  search?: string | undefined;
}

/** `OPS-42` or `42` in a search box finds ticket number 42. */
function numberFromSearch(search: string): number | null {
  const match = /^(?:[A-Za-z][A-Za-z0-9]*-)?(\d{1,9})$/.exec(search.trim());
  return match ? Number(match[1]) : null;
}

/** Tickets the actor may see, filtered, ordered and paginated. Archived ones only when asked. */
export async function listTickets(
  db: Executor,
  actor: Actor,
  filters: TicketFilters,
  ordering: { field: (typeof TICKET_ORDERING)[number]; desc: boolean }[],
  page: PageParams,
) {
  const where: (SQL | undefined)[] = [visibleTicketsSql(actor)];
  if (filters.project !== undefined) where.push(eq(tickets.projectId, filters.project));
  if (filters.status) where.push(eq(tickets.status, filters.status));
  if (filters.priority_id !== undefined) where.push(eq(tickets.priorityId, filters.priority_id));
  if (filters.company !== undefined) where.push(eq(tickets.companyId, filters.company));
  if (filters.column !== undefined) where.push(eq(tickets.columnId, filters.column));
  if (filters.tag !== undefined) {
    where.push(
      sql`exists (select 1 from ticket_tags g where g.ticket_id = ${tickets.id} and g.tag_id = ${filters.tag})`,
    );
  }
  if (filters.assignee !== undefined) {
    where.push(
      sql`exists (select 1 from ticket_assignees a where a.ticket_id = ${tickets.id} and a.user_id = ${filters.assignee})`,
    );
  }
  where.push(eq(tickets.isArchived, filters.is_archived ?? false));
  if (filters.search) {
    const pattern = containsPattern(filters.search);
    const number = numberFromSearch(filters.search);
    where.push(
      or(
        ilike(tickets.title, pattern),
        ilike(tickets.description, pattern),
        number ? eq(tickets.number, number) : undefined,
      ),
    );
  }
  const order = ordering.length
    ? ordering.map((o) =>
        o.desc
          ? sql`${ticketOrderColumns[o.field]} desc nulls last`
          : sql`${ticketOrderColumns[o.field]} asc nulls last`,
      )
    : [desc(tickets.createdAt)];
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ ...ticketFields, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(and(...where))
    .orderBy(...order, desc(tickets.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map(serializeTicket) };
}

/** Non-archived tickets of a project in board order, limited to given companies when set. */
export async function boardTickets(db: Executor, projectId: number, companyIds: number[] | null) {
  const rows = await selectTickets(db)
    .where(
      and(
        eq(tickets.projectId, projectId),
        eq(tickets.isArchived, false),
        companyIds ? inArray(tickets.companyId, companyIds.length ? companyIds : [-1]) : undefined,
      ),
    )
    .orderBy(asc(tickets.columnId), asc(tickets.position));
  return rows.map(serializeTicket);
}
