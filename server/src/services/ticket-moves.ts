/**
 * The one move path: every change of a ticket's column — a drag (`moveTicket`), a PATCH with
 * `column` (ticket-writes.ts `updateTicket`), a column deleted with "move its cards to"
 * (`moveColumnTickets`) — goes through `placeTicket` (the rule) and `writeMoves` (the write).
 *
 * The rule: a ticket's `status` is its column's category; `done_at` is set on entering a done
 * column, kept while it stays in one, cleared on leaving. The record: one `ticket.moved` event
 * per ticket whose payload is the ticket as it now is, and one activity row of one shape
 * (`TicketMovedActivity`: from, to, the new key, and what else a PATCH changed).
 */
import type { Db, Executor, Tx } from '@laneway/db/client';
import { executePrepared, executeShape } from '@laneway/db/prepared';
import { columns, contacts, projects, tickets, users, type ColumnCategory } from '@laneway/db/schema';
import { and, asc, desc, eq, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict } from '../lib/errors.ts';
import { isoTime } from '../lib/time.ts';
import { authorize, canCloseTicket, canEditTicket, editRefusal, type ProjectAccess } from '../policy/index.ts';
import type { Changed, EventMessage, TicketChange, TicketMovedActivity } from '../realtime/events.ts';
import type { Ticket } from '../schemas/tickets.ts';
import { projectTopic } from './changes.ts';
import {
  doneNotice,
  doneWanted,
  emitNotifications,
  notificationEvents,
  notificationWrites,
  type NotificationEventRow,
} from './notifications.ts';
import { keyBetween, keysAfter } from './ordering.ts';
import { currentRequestId, emit, transact } from './publish.ts';
import {
  accessFields,
  factsOf,
  requireTicket,
  selectTickets,
  serializeTicket,
  ticketFields,
  visibleTicket,
  type TicketRecord,
} from './tickets.ts';

/** A column a ticket can be placed in. */
export interface ColumnRef {
  id: number;
  category: ColumnCategory;
}

/** Where a ticket goes: the column and its fractional key there. */
export interface Place {
  column: ColumnRef;
  position: string;
}

/** The columns of `tickets` a placement sets, by the one rule. */
export interface PlacedFields {
  columnId: number;
  position: string;
  status: ColumnCategory;
  doneAt: Date | null;
}

/**
 * The rule for a ticket in a column: status is the column's category; `done_at` is set on
 * entering a done column (`now`), kept while inside one, cleared on leaving. New tickets are
 * placed by it too (with no previous `done_at`).
 */
export function placeTicket(previousDoneAt: Date | null, place: Place, now: Date): PlacedFields {
  const done = place.column.category === 'done';
  return {
    columnId: place.column.id,
    position: place.position,
    status: place.column.category,
    doneAt: done ? (previousDoneAt ?? now) : null,
  };
}

/** One ticket to move: as read (its version guards the write), where to, and why. */
export interface Move {
  ticket: TicketRecord;
  place: Place;
  /** Other fields a PATCH changed in the same write (already stored, version not yet bumped). */
  changed?: Changed;
  /** The move is a column's deletion moving its cards. */
  columnDeleted?: boolean;
}

export interface WrittenMove {
  json: Ticket;
  /** Entered a done column (from a non-done one): people are told (`notify`). */
  enteringDone: boolean;
}

/**
 * The one write of column changes: for each move, the ticket row (guarded by the version it
 * was read at), its `ticket.moved` activity row and its event, in ONE statement — which is its
 * own transaction when `db` is not one, so a plain drag costs one round trip. All moves are
 * of one project. Returns null when a version guard failed (nothing was written: a 409 for
 * the caller); a position clash (two drops drew one key) throws for the caller to retry.
 *
 * With `notify`, moves entering done notify the ticket's people (`doneWanted`) in the same
 * statement, so a drag into done is one round trip too (docs/decisions/0048's addendum). The
 * statement takes the people's topic seqs before the project's, which every move of the project
 * waits for, and holds that one to its commit only.
 */
export async function writeMoves(
  db: Executor,
  actor: Actor,
  moves: Move[],
  options: { notify: boolean },
): Promise<WrittenMove[] | null> {
  if (!moves.length) return [];
  const projectId = moves[0]!.ticket.projectId;
  const now = new Date();
  let notifying = false;
  const items = moves.map((move, i) => {
    const { ticket, place } = move;
    const fields = placeTicket(ticket.doneAt, place, now);
    const json = serializeTicket({ ...ticket, ...fields, version: ticket.version + 1, updatedAt: now });
    const activity: TicketMovedActivity = {
      from_column: ticket.columnId,
      to_column: place.column.id,
      position: place.position,
      ...(move.changed && Object.keys(move.changed).length ? { changed: move.changed } : {}),
      ...(move.columnDeleted ? { column_deleted: true as const } : {}),
    };
    // A PATCH that also took the ticket from a company says which (events.ts `TicketChange`).
    const fromCompany = move.changed?.company?.[0];
    const payload: TicketChange = typeof fromCompany === 'number' ? { ...json, previous_company: fromCompany } : json;
    const enteringDone = fields.status === 'done' && ticket.status !== 'done';
    const done = options.notify && enteringDone ? doneNotice(json, json.column) : null;
    if (done) notifying = true;
    const row: MoveRow = {
      i,
      id: ticket.id,
      version: ticket.version,
      column_id: fields.columnId,
      position: fields.position,
      status: fields.status,
      done_at: fields.doneAt?.toISOString() ?? null,
      data: activity,
      payload,
      people: done?.people ?? [],
      notice: done?.notice ?? null,
    };
    return { payload, written: { json, enteringDone }, row };
  });
  const written = items.map((x) => x.written);
  const rows = await executePrepared<NotificationEventRow & { type: string }>(
    db,
    moveStatement({
      rows: items.map((x) => x.row),
      projectId,
      actorId: actor.id,
      now,
      notifying,
    }),
  );
  const moved = rows.filter((r) => r.type === 'ticket.moved');
  if (moved.length !== moves.length) {
    // A version guard failed. One move: nothing was written. Several (always in a
    // transaction, rows locked): roll the whole batch back rather than keep part of it.
    if (!moved.length) return null;
    throw conflict('A ticket was changed by someone else during the move; try again');
  }
  emitNotifications(
    rows.filter((r) => r.type === 'notification.created'),
    true,
  );
  // Seqs were handed out in the order of `moves`.
  const numbered = [...moved].sort((a, b) => Number(a.seq) - Number(b.seq));
  for (const [k, row] of numbered.entries()) {
    const event: EventMessage = {
      type: 'ticket.moved',
      topic: projectTopic(projectId),
      seq: Number(row.seq),
      at: isoTime(row.created_at),
      data: items[k]!.payload,
    };
    emit(event, true);
  }
  return written;
}

/** One row of `moveStatement`: a ticket's new place, its activity, its event, and who hears of it. */
export interface MoveRow {
  i: number;
  id: number;
  /** The version the ticket was read at: the write's guard. */
  version: number;
  column_id: number;
  position: string;
  status: ColumnCategory;
  done_at: string | null;
  data: TicketMovedActivity;
  payload: TicketChange;
  /** Entering done with `notify`: the ticket's people and the notification's data. */
  people: number[];
  notice: Record<string, unknown> | null;
}

/**
 * The statement of `writeMoves` (bench/moves-floor.ts issues the very same): the ticket rows
 * (guarded by version), their activity rows, the project topic's seq and their events, and,
 * when `notifying`, the done notifications with their events first (the statement's Append
 * runs its branches in order, so the people's topic seqs are taken before the project's, which
 * every move of the project waits for). Returns each event's topic, seq, type and created_at,
 * and the payload of the notifications' events.
 */
export function moveStatement(args: {
  rows: MoveRow[];
  projectId: number;
  actorId: number;
  now: Date;
  notifying: boolean;
}): SQL {
  const { projectId, actorId } = args;
  const topic = projectTopic(projectId);
  // Without done notifications the statement has no part of theirs (another prepared shape).
  const notices = args.notifying
    ? {
        ctes: sql`${notificationWrites(doneWanted(sql`ok`, actorId))},`,
        events: sql`${notificationEvents()} union all`,
        jobs: sql`, (select count(*) from notified_jobs) as jobs`,
      }
    : { ctes: sql``, events: sql``, jobs: sql`` };
  return sql`
    with m as (
      select * from jsonb_to_recordset(${JSON.stringify(args.rows)}::jsonb) as x(
        i int, id int, version int, column_id int, position text, status column_category, done_at timestamptz,
        data jsonb, payload jsonb, people int[], notice jsonb)
    ), written as (
      update tickets t set column_id = m.column_id, position = m.position, status = m.status, done_at = m.done_at,
        version = t.version + 1, updated_at = ${args.now.toISOString()}::timestamptz
      from m where t.id = m.id and t.version = m.version
      returning t.id
    ), ok as (
      select m.*, row_number() over (order by m.i) as rn, count(*) over () as n from m join written using (id)
    ), ${notices.ctes} logged as (
      insert into activity (project_id, ticket_id, actor_id, verb, data)
      select ${projectId}, ok.id, ${actorId}, 'ticket.moved', ok.data from ok order by ok.i
    ), next as (
      insert into topic_seqs (topic, seq) select ${topic}, max(ok.n) from ok having count(*) > 0
      on conflict (topic) do update set seq = topic_seqs.seq + excluded.seq
      returning seq
    )
    insert into events (topic, seq, type, payload, request_id)
    ${notices.events}
    (select ${topic}, next.seq - ok.n + ok.rn, 'ticket.moved', ok.payload, ${currentRequestId()}::text
    from ok cross join next order by ok.rn)
    returning topic, seq, type, created_at, case when type = 'notification.created' then payload end as payload
      ${notices.jobs}`;
}

/** Whether moving a ticket of this status into this column enters done (people are then told). */
export const entersDone = (status: ColumnCategory, column: ColumnRef) =>
  column.category === 'done' && status !== 'done';

/** Postgres unique violation on the per-column position index: two drops picked one key. */
export function isPositionClash(error: unknown): boolean {
  const e = (error as { cause?: unknown })?.cause ?? error;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { code?: string }).code === '23505' &&
    (e as { constraint_name?: string }).constraint_name === 'tickets_column_position_uq'
  );
}

/** Runs a positioning transaction, again with a fresh key if it drew one a concurrent write took. */
export async function withPositionRetry<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await transact(db, fn);
    } catch (error) {
      if (!isPositionClash(error) || attempt >= 4) throw error;
    }
  }
}

/** Key for the end (or top) of a column, ignoring `exceptId` (the ticket being moved). */
export async function edgeKey(tx: Executor, columnId: number, at: 'top' | 'bottom', exceptId?: number) {
  const [edge] = await tx
    .select({ position: tickets.position })
    .from(tickets)
    .where(and(eq(tickets.columnId, columnId), exceptId ? ne(tickets.id, exceptId) : undefined))
    .orderBy(at === 'bottom' ? desc(tickets.position) : asc(tickets.position))
    .limit(1);
  const key = edge?.position ?? null;
  return at === 'bottom' ? keyBetween({ lower: key, upper: null }) : keyBetween({ lower: null, upper: key });
}

/** 409 for a stale version, naming the current one. */
export function staleVersion(current: number) {
  return conflict('The ticket was changed by someone else; reload it', { version: current });
}

export interface MoveTarget {
  column: number;
  before?: number | undefined;
  after?: number | undefined;
  version?: number | undefined;
}

/**
 * A write's version guard failed: another write got in between the read and the write. Thrown
 * inside a write to unwind its transaction; `lastWriterWins` turns it into a retry (no
 * `version` given) or a 409 (a stale `version` given). Never escapes a service.
 */
export class VersionRace extends Error {
  constructor() {
    super('version race');
  }
}

/** Reads and writes again after this many races in a row, then gives up with a 409. */
const MAX_RACE_RETRIES = 20;

/**
 * Runs a read-then-write attempt until it is not raced. Without a `version` from the client
 * the last writer wins: a concurrent write between our read and our write means read again
 * and write on top of it (issue 14 row 5). With one, the caller asked for that version only:
 * 409 naming the current one.
 */
export async function lastWriterWins<T>(
  givenVersion: number | undefined,
  attempt: () => Promise<T>,
  currentVersion: () => number,
): Promise<T> {
  for (let race = 0; ; race++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof VersionRace)) throw error;
      if (givenVersion !== undefined || race >= MAX_RACE_RETRIES) throw staleVersion(currentVersion() + 1);
    }
  }
}

/**
 * Moves a ticket next to its named neighbours (see ordering.ts for the rule). After the
 * session, two statements: one reads the ticket, the caller's access and the neighbour keys
 * (`readForMove`); one writes the ticket row, its activity row and its event together
 * (`writeMoves`), guarded by the version read. A stale `version` is a 409 that changes
 * nothing; a concurrent edit between the read and the write is a 409 too when a `version` was
 * given, and otherwise a fresh read and write (last writer wins). Entering done also notifies
 * people, in the same statement as the write.
 */
export async function moveTicket(db: Db, actor: Actor, id: number, target: MoveTarget): Promise<Ticket> {
  return moveAs(db, actor, id, target, (access, ticket) => canEditTicket(access, factsOf(ticket)));
}

/** `moveTicket` with who may make this move (`allowed`): the board's rule, or close/reopen's. */
async function moveAs(
  db: Db,
  actor: Actor,
  id: number,
  target: MoveTarget,
  allowed: (access: ProjectAccess, ticket: TicketRecord) => boolean,
): Promise<Ticket> {
  if (target.before === id || target.after === id) {
    throw badRequest('A ticket cannot be its own neighbour', { before: ['Must be another ticket'] });
  }
  let readVersion = 0;
  return lastWriterWins(
    target.version,
    async () => {
      for (let attempt = 0; ; attempt++) {
        const { ticket, access, place } = await readForMove(db, actor, id, target);
        readVersion = ticket.version;
        authorize(true, allowed(access, ticket), editRefusal(`${ticket.projectKey}-${ticket.number}`, 'move'));
        if (target.version !== undefined && target.version !== ticket.version) throw staleVersion(ticket.version);
        if (ticket.isArchived) throw conflict('Unarchive the ticket before moving it');
        const moves = [{ ticket, place }];
        try {
          const written = await writeMoves(db, actor, moves, { notify: true });
          if (!written) throw new VersionRace();
          return written[0]!.json;
        } catch (error) {
          // Two drops drew the same jittered key: draw again.
          if (!isPositionClash(error) || attempt >= 4) throw error;
        }
      }
    },
    () => readVersion,
  );
}

/** Throws `VersionRace` (typed to fit where a write's result is expected). */
export function raced(): never {
  throw new VersionRace();
}

/**
 * The statement of `readForMove` for one shape: which neighbour is named (`field`), and whether
 * `before` is checked beside `after` (`checkOther`). Every value is a placeholder: `id`,
 * `column`, `named`, `other`, `actor`.
 */
function moveReadQuery(db: Executor, field: 'after' | 'before' | null, checkOther: boolean) {
  const c = alias(columns, 'target_column');
  const n = alias(tickets, 'neighbour');
  const id = sql.placeholder('id');
  // min/max over (column_id, position) use the index and the column's C collation.
  const others = sql`o.column_id = ${c.id} and o.id <> ${id}`;
  const edge =
    field === 'after'
      ? sql<string | null>`(select min(o.position) from tickets o where ${others} and o.position > ${n.position})`
      : field === 'before'
        ? sql<string | null>`(select max(o.position) from tickets o where ${others} and o.position < ${n.position})`
        : sql<string | null>`(select max(o.position) from tickets o where ${others})`;
  return db
    .select({
      ...ticketFields,
      ...accessFields(sql.placeholder('actor')),
      targetCategory: c.category,
      neighbour: n.position,
      neighbourColumn: n.columnId,
      edge,
      otherOk: checkOther
        ? sql<boolean>`exists (select 1 from tickets b where b.id = ${sql.placeholder('other')} and b.column_id = ${c.id})`
        : sql<boolean>`true`,
    })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .leftJoin(c, and(eq(c.id, sql.placeholder('column')), eq(c.projectId, tickets.projectId)))
    .leftJoin(n, eq(n.id, sql.placeholder('named')))
    .where(eq(tickets.id, id));
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
  // One of four shapes (which neighbours are named), each built once with placeholders and run
  // as a prepared statement: parsed and planned once per connection.
  const shape = `laneway_move_read_${field ?? 'end'}${other === null ? '' : '_both'}`;
  const [found] = await executeShape(db, shape, () => moveReadQuery(db, field, other !== null), {
    id,
    column: target.column,
    named: named ?? 0,
    other: other ?? 0,
    actor: actor.id,
  });
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
  return { ticket, access, place: { column: { id: target.column, category: row.targetCategory }, position } };
}

/**
 * Moves every ticket of a column, archived ones too, to the end of another column of the same
 * project, keeping their order, in the caller's transaction (`writeMoves`: one `ticket.moved`
 * event and activity row each). For deleting a column with "move its cards to": nobody is
 * notified, as it is a reorganisation, not work done. Returns how many moved.
 */
export async function moveColumnTickets(
  tx: Tx,
  actor: Actor,
  from: { id: number; projectId: number },
  to: ColumnRef,
): Promise<number> {
  const moving = await selectTickets(tx)
    .where(eq(tickets.columnId, from.id))
    .orderBy(asc(tickets.position))
    .for('update', { of: tickets });
  if (!moving.length) return 0;
  const [last] = await tx.execute<{ position: string | null }>(sql`
    select max(position) as position from tickets where column_id = ${to.id}`);
  const keys = keysAfter(last?.position ?? null, moving.length);
  const written = await writeMoves(
    tx,
    actor,
    moving.map((ticket, i) => ({ ticket, place: { column: to, position: keys[i]! }, columnDeleted: true })),
    { notify: false },
  );
  return written?.length ?? 0;
}

/**
 * A client closes or reopens their own ticket (issue 13 item 14, decision 0038). "Close" moves
 * it to the end of the project's first done column (by column order), "reopen" to the end of
 * its first column that is not done; a ticket already closed (or open) stays where it is.
 * Either is a move like any other (`moveAs`: one `ticket.moved` event and activity row; closing
 * notifies the ticket's people as entering done does). Allowed to whoever may move the ticket
 * on the board, and to the company people of its company who reported it or are its contact
 * (by email): they asked, so they may say it is solved or not.
 */
export async function setTicketClosed(db: Db, actor: Actor, id: number, closed: boolean): Promise<Ticket> {
  const { ticket, access } = await requireTicket(db, actor, id);
  const isContact = await actorIsContact(db, actor, ticket.contactId);
  authorize(
    true,
    canCloseTicket(access, factsOf(ticket), isContact),
    'Only the reporter or the contact may close or reopen this ticket',
  );
  if (ticket.isArchived) throw conflict('This ticket is archived');
  if ((ticket.status === 'done') === closed) return serializeTicket(ticket);
  const [column] = await db
    .select({ id: columns.id })
    .from(columns)
    .where(
      and(
        eq(columns.projectId, ticket.projectId),
        closed ? eq(columns.category, 'done') : ne(columns.category, 'done'),
      ),
    )
    .orderBy(asc(columns.position), asc(columns.id))
    .limit(1);
  if (!column) throw conflict(closed ? 'This project has no done column' : 'This project has no open column');
  return moveAs(db, actor, id, { column: column.id }, (a, t) => canCloseTicket(a, factsOf(t), isContact));
}

/** Whether the actor's email is that of the ticket's contact (a client who wrote in by mail). */
async function actorIsContact(db: Executor, actor: Actor, contactId: number | null): Promise<boolean> {
  if (contactId === null) return false;
  const [row] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .innerJoin(users, sql`lower(${users.email}) = lower(${contacts.email})`)
    .where(and(eq(contacts.id, contactId), eq(users.id, actor.id)));
  return row !== undefined;
}
