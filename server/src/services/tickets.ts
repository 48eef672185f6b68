/**
 * Tickets as the API reads them: the one select of a ticket's fields, its JSON, visibility
 * checks and lists. Writes are in ticket-writes.ts (create, edit, archive, delete) and every
 * column change in ticket-moves.ts; nothing else writes the `tickets` table.
 */
import type { Executor } from '@laneway/db/client';
import { projects, tickets, type ColumnCategory } from '@laneway/db/schema';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { and, asc, desc, eq, getTableColumns, ilike, inArray, not, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { containsPattern, pageWindow, parseOrdering, type PageParams } from '../lib/pagination.ts';
import { canSeeTicket, isStaff, type ProjectAccess, type ProjectRole, type TicketFacts } from '../policy/index.ts';
import { linkedCompaniesSql, roleSql, visibleTicketsSql, type ActorIdParam } from '../policy/load.ts';
import type { TicketSla } from '../schemas/sla.ts';
import type { Ticket } from '../schemas/tickets.ts';
import { fieldFilterSql, fieldOrderSql, fieldTextSearchSql } from './fields.ts';

const assigneesSql = sql<number[]>`coalesce((select array_agg(a.user_id order by a.user_id)
  from ticket_assignees a where a.ticket_id = ${tickets.id}), '{}'::int[])`;
const tagIdsSql = sql<number[]>`coalesce((select array_agg(g.tag_id order by g.tag_id)
  from ticket_tags g where g.ticket_id = ${tickets.id}), '{}'::int[])`;

/** A ticket's checklist progress, aggregated over its `checklist_items c` rows. */
const checklistProgress = sql`jsonb_build_object('done', count(*) filter (where c.done), 'total', count(*))`;
const checklistSql = sql<{ done: number; total: number }>`(select ${checklistProgress}
  from checklist_items c where c.ticket_id = ${tickets.id})`;

const blockedSql = sql<boolean>`exists (select 1 from ticket_relations r join tickets b on b.id = r.from_ticket_id
  where r.to_ticket_id = ${tickets.id} and r.kind = 'blocks' and b.status <> 'done')`;

/** A timestamp as `Date.prototype.toISOString` writes it (UTC, milliseconds cut, not rounded), in SQL. */
const isoSql = (value: SQL | AnyPgColumn) =>
  sql<string>`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const iso = (column: string) => isoSql(sql.raw(`s.${column}`));
/** The SLA clocks of a `ticket_sla s` row. */
const slaClocks = sql`jsonb_build_object(
  'first_response_due_at', ${iso('first_response_due_at')}, 'resolution_due_at', ${iso('resolution_due_at')},
  'first_responded_at', ${iso('first_responded_at')},
  'breached', s.first_response_breached_at is not null or s.resolution_breached_at is not null)`;
/** The ticket's SLA clocks (services/sla.ts), null when it was born under no target. */
const slaSql = sql<TicketSla | null>`(select ${slaClocks} from ticket_sla s where s.ticket_id = ${tickets.id})`;

/** Everything the API shows of a ticket, in one select. */
export const ticketFields = {
  ...getTableColumns(tickets),
  projectKey: projects.key,
  assignees: assigneesSql,
  tagIds: tagIdsSql,
  checklist: checklistSql,
  blocked: blockedSql,
  sla: slaSql,
};

export type TicketRecord = typeof tickets.$inferSelect & {
  projectKey: string;
  assignees: number[];
  tagIds: number[];
  checklist: { done: number; total: number };
  blocked: boolean;
  sla: TicketSla | null;
};

export function serializeTicket(t: TicketRecord): Ticket {
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
    fields: t.fields as Ticket['fields'],
    checklist: t.checklist,
    blocked: t.blocked,
    sla: t.sla,
    source: t.source,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/**
 * `serializeTicket` in SQL: a select of `id`, `project_id` and `payload` (the ticket as the API
 * shows it, as jsonb) of the tickets whose ids `ids` (an `int[]` expression) lists, for
 * statements that record many tickets' events with no row crossing into JS (the archive job,
 * `recordChangesFrom`). The links are read set-wise, one scan each for the whole set, rather
 * than `ticketFields`' subquery per ticket and link (over 100,000 tickets 0.16 s against 0.72 s,
 * decision 0062). One entry per field of `Ticket`, so the compiler asks for a new field here
 * too; ticket-writes.test.ts checks the payload equals serializeTicket field by field.
 */
export function ticketJsonRows(ids: SQL): SQL<{ id: number; project_id: number; payload: Ticket }> {
  const fields: { [K in keyof Omit<Ticket, 'time_spent'>]-?: SQL } = {
    id: sql`${tickets.id}`,
    project: sql`${tickets.projectId}`,
    number: sql`${tickets.number}`,
    key: sql`${projects.key} || '-' || ${tickets.number}`,
    title: sql`${tickets.title}`,
    description: sql`${tickets.description}`,
    column: sql`${tickets.columnId}`,
    position: sql`${tickets.position}`,
    priority_id: sql`${tickets.priorityId}`,
    company: sql`${tickets.companyId}`,
    contact: sql`${tickets.contactId}`,
    reporter: sql`${tickets.reporterId}`,
    assignees: sql`coalesce(a.ids, '{}'::int[])`,
    tags: sql`coalesce(g.ids, '{}'::int[])`,
    due_at: isoSql(tickets.dueAt),
    status: sql`${tickets.status}`,
    done_at: isoSql(tickets.doneAt),
    is_archived: sql`${tickets.isArchived}`,
    archived_at: isoSql(tickets.archivedAt),
    version: sql`${tickets.version}`,
    fields: sql`${tickets.fields}`,
    checklist: sql`coalesce(c.progress, jsonb_build_object('done', 0, 'total', 0))`,
    blocked: sql`bl.ticket_id is not null`,
    sla: sql`case when s.ticket_id is not null then ${slaClocks} end`,
    source: sql`${tickets.source}`,
    created_at: isoSql(tickets.createdAt),
    updated_at: isoSql(tickets.updatedAt),
  };
  const payload = sql.join(
    Object.entries(fields).map(([name, value]) => sql`${sql.raw(`'${name}'`)}, ${value}`),
    sql`, `,
  );
  return sql`
    with wanted as materialized (select unnest(${ids}) as id)
    select ${tickets.id} as id, ${tickets.projectId} as project_id, jsonb_build_object(${payload}) as payload
    from wanted join ${tickets} on ${tickets.id} = wanted.id join ${projects} on ${projects.id} = ${tickets.projectId}
    left join (select ticket_id, array_agg(user_id order by user_id) as ids from ticket_assignees
      where ticket_id in (select id from wanted) group by ticket_id) a on a.ticket_id = ${tickets.id}
    left join (select ticket_id, array_agg(tag_id order by tag_id) as ids from ticket_tags
      where ticket_id in (select id from wanted) group by ticket_id) g on g.ticket_id = ${tickets.id}
    left join (select c.ticket_id, ${checklistProgress} as progress from checklist_items c
      where c.ticket_id in (select id from wanted) group by c.ticket_id) c on c.ticket_id = ${tickets.id}
    left join (select distinct r.to_ticket_id as ticket_id from ticket_relations r join tickets b on b.id = r.from_ticket_id
      where r.to_ticket_id in (select id from wanted) and r.kind = 'blocks' and b.status <> 'done') bl
      on bl.ticket_id = ${tickets.id}
    left join ticket_sla s on s.ticket_id = ${tickets.id}`;
}

export const factsOf = (t: TicketRecord): TicketFacts => ({
  companyId: t.companyId,
  reporterId: t.reporterId,
  assigneeIds: t.assignees,
});

/** A select of `ticketFields` (the ticket joined to its project for the key). */
export function selectTickets(db: Executor) {
  return db.select(ticketFields).from(tickets).innerJoin(projects, eq(projects.id, tickets.projectId));
}

/** One ticket by id, whoever may see it (for writes that already checked access). */
export async function readTicket(db: Executor, id: number): Promise<TicketRecord> {
  const [row] = await selectTickets(db).where(eq(tickets.id, id));
  if (!row) throw notFound();
  return row;
}

/** What the actor is to a ticket's project, as extra fields of a ticket select. */
export function accessFields(actorId: ActorIdParam) {
  return {
    role: roleSql(sql`${tickets.projectId}`, actorId),
    companyIds: linkedCompaniesSql(sql`${tickets.projectId}`, actorId).mapWith((v: number[]) => v),
  };
}

/** Splits a row of `ticketFields` + `accessFields` and answers 404 when the actor may not see it. */
export function visibleTicket<R extends TicketRecord & { role: ProjectRole | null; companyIds: number[] }>(
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
    .select({ ...ticketFields, ...accessFields(actor.id) })
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
export async function getTicketWithSeq(db: Executor, actor: Actor, id: number): Promise<Ticket & { seq: number }> {
  const [row] = await db
    .select({
      ...ticketFields,
      ...accessFields(actor.id),
      seq: sql<number>`coalesce((select s.seq from topic_seqs s where s.topic = 'project:' || ${tickets.projectId}), 0)`.mapWith(
        Number,
      ),
      timeSpent:
        sql<number>`(select coalesce(sum(e.minutes), 0) from time_entries e where e.ticket_id = ${tickets.id})`.mapWith(
          Number,
        ),
    })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(eq(tickets.id, id));
  const { ticket, access } = visibleTicket(actor, row);
  // Time is staff business (SPEC §14): company people get no total at all.
  const spent = isStaff(access) ? { time_spent: row!.timeSpent } : {};
  return { ...serializeTicket(ticket), ...spent, seq: row!.seq };
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
  /** Waiting for the client (`waitingForClientSql`), or not. */
  waiting?: boolean | undefined;
  search?: string | undefined;
  /** `field_<id>` query parameters (see fields.ts `fieldParams`). */
  fields?: Record<string, string> | undefined;
}

const FIELD_ORDERING = /^-?field_(\d{1,9})$/;

/** `ordering=` as SQL: the fixed fields of TICKET_ORDERING and `field_<id>` (400 for anything else). */
async function orderingSql(db: Executor, actor: Actor, raw: string | undefined): Promise<SQL[]> {
  if (!raw) return [desc(tickets.createdAt)];
  const out: SQL[] = [];
  for (const part of raw.split(',')) {
    const field = FIELD_ORDERING.exec(part.trim());
    // parseOrdering refuses every name but TICKET_ORDERING's (an empty one too, with a space).
    const expr = field
      ? await fieldOrderSql(db, actor, Number(field[1]))
      : sql`${ticketOrderColumns[parseOrdering(part || ' ', TICKET_ORDERING)[0]!.field]}`;
    out.push(part.trim().startsWith('-') ? sql`${expr} desc nulls last` : sql`${expr} asc nulls last`);
  }
  return out;
}

/** Whether a message's author (a users.id column) is staff of the ticket's project: superuser or member. */
const staffAuthor = (author: SQL) => sql`coalesce((select u.is_superuser or exists (
    select 1 from user_roles r where r.project_id = ${tickets.projectId} and r.user_id = u.id)
  from users u where u.id = ${author}), false)`;

/**
 * "Waiting for you" (issue 13 item 14): an open ticket whose latest message a client can read
 * — a live chat message in its room, or a live comment that is not an internal note — was
 * written by staff, with nothing from the client since. A mail reply (`contact_id`) is the
 * client's. Company people see it on their tickets; for staff it reads "waiting for the client".
 */
export const waitingForClientSql = sql`(${tickets.status} <> 'done' and coalesce((
  select x.staff from (
    select c.created_at, c.id, ${staffAuthor(sql`c.author_id`)} as staff
      from comments c where c.ticket_id = ${tickets.id} and c.deleted_at is null and not c.internal
    union all
    select m.created_at, m.id, m.contact_id is null and ${staffAuthor(sql`m.author_id`)} as staff
      from chat_rooms cr join chat_messages m on m.room_id = cr.id
      where cr.ticket_id = ${tickets.id} and m.deleted_at is null
  ) x order by x.created_at desc, x.id desc limit 1), false))`;

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
  ordering: string | undefined,
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
  if (filters.waiting !== undefined) where.push(filters.waiting ? waitingForClientSql : not(waitingForClientSql));
  if (filters.search) {
    const pattern = containsPattern(filters.search);
    const number = numberFromSearch(filters.search);
    where.push(
      or(
        ilike(tickets.title, pattern),
        ilike(tickets.description, pattern),
        number ? eq(tickets.number, number) : undefined,
        fieldTextSearchSql(pattern),
      ),
    );
  }
  if (filters.fields) where.push(...(await fieldFilterSql(db, actor, filters.fields)));
  const order = await orderingSql(db, actor, ordering);
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
