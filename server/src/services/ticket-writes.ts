/**
 * Ticket writes but column changes: create, edit, archive, delete. Each write is one
 * transaction that checks the version, changes the row (and its assignee/tag links), and
 * records the change (activity row + board event) before commit. A PATCH that changes the
 * column hands the column change to the one move path (ticket-moves.ts `writeMoves`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { assertAllFound } from '../lib/refs.ts';
import { badRequest, conflict } from '../lib/errors.ts';
import {
  authorize,
  canArchive,
  canAssign,
  canCreateTicket,
  canDeleteTicket,
  canEditTicket,
  editRefusal,
  isStaff,
} from '../policy/index.ts';
import type { Changed } from '../realtime/events.ts';
import type { Ticket } from '../schemas/tickets.ts';
import { recordChange, recordChangesFrom } from './changes.ts';
import { checkFieldValues, type FieldValuesInput } from './fields.ts';
import { notifyAssigned } from './notifications.ts';
import { requireProjectAccess } from './projects.ts';
import { transact } from './publish.ts';
import { startClocks } from './sla.ts';
import {
  edgeKey,
  type ColumnRef,
  lastWriterWins,
  placeTicket,
  staleVersion,
  VersionRace,
  withPositionRetry,
  writeMoves,
} from './ticket-moves.ts';
import { factsOf, readTicket, requireTicket, serializeTicket, ticketJsonRows } from './tickets.ts';

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

/**
 * A ticket's contact must exist and may not belong to another company than the ticket's. A
 * ticket without a company takes only contacts without one or of a company linked to the
 * project (issue 14 row 7): a contact of an unlinked company is as foreign there as a mismatch.
 */
async function checkContact(db: Executor, projectId: number, contactId: number | null, companyId: number | null) {
  if (contactId === null) return;
  const [contact] = await db
    .select({
      companyId: contacts.companyId,
      // Spelled out: drizzle renders a lone column unqualified, which `pc` would capture.
      linked: sql<boolean>`exists (select 1 from project_companies pc
        where pc.project_id = ${projectId} and pc.company_id = "contacts"."company_id")`,
    })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  if (!contact) throw badRequest('Unknown contact', { contact: [`No contact ${contactId}`] });
  if (contact.companyId === null) return;
  if (companyId !== null ? contact.companyId !== companyId : !contact.linked) {
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
  fields?: FieldValuesInput | undefined;
  at?: 'top' | 'bottom' | undefined;
}

/**
 * The one place a ticket row is born: the project row lock hands out the next number in order
 * (and serialises creates per project), and the ticket is placed at the top or bottom of its
 * column by the one placement rule. Returns the new id.
 */
async function insertTicket(
  tx: Tx,
  projectId: number,
  column: ColumnRef,
  at: 'top' | 'bottom',
  values: Omit<typeof tickets.$inferInsert, 'projectId' | 'number' | 'columnId' | 'position' | 'status' | 'doneAt'>,
): Promise<number> {
  const [seq] = await tx
    .update(projects)
    .set({ ticketSeq: sql`${projects.ticketSeq} + 1` })
    .where(eq(projects.id, projectId))
    .returning({ n: projects.ticketSeq });
  const place = placeTicket(null, { column, position: await edgeKey(tx, column.id, at) }, new Date());
  const [row] = await tx
    .insert(tickets)
    .values({ ...values, projectId, number: seq!.n, ...place })
    .returning({ id: tickets.id, createdAt: tickets.createdAt });
  await startClocks(tx, {
    id: row!.id,
    projectId,
    priorityId: values.priorityId ?? 2,
    companyId: values.companyId ?? null,
    createdAt: row!.createdAt,
  });
  return row!.id;
}

/** Files a ticket in `input.project`: 404 when the actor cannot see the project, 403 when they may not file there. */
export async function createTicket(db: Db, actor: Actor, input: NewTicket): Promise<Ticket> {
  const access = await requireProjectAccess(db, actor, input.project);
  // Company people file tickets for their own company; with one company it is implied.
  let companyId = input.company ?? null;
  if (!isStaff(access) && companyId === null && access.companyIds.length === 1) companyId = access.companyIds[0]!;
  authorize(true, canCreateTicket(access, companyId), 'You may not create tickets here');
  const assignees = unique(input.assignees) ?? [];
  if (assignees.length) authorize(true, canAssign(access), 'Only admins assign work');
  const tagIds = unique(input.tags) ?? [];
  const projectId = access.projectId;
  const column = input.column ? await checkColumn(db, projectId, input.column) : await firstColumn(db, projectId);
  const [{ fields }] = await Promise.all([
    checkFieldValues(db, projectId, input.fields, {}, true),
    checkAssignees(db, projectId, assignees),
    checkTags(db, projectId, tagIds),
    checkCompany(db, projectId, companyId),
    checkContact(db, projectId, input.contact ?? null, companyId),
  ]);
  return withPositionRetry(db, async (tx) => {
    const id = await insertTicket(tx, projectId, column, input.at ?? 'bottom', {
      title: input.title,
      description: input.description ?? '',
      priorityId: input.priority_id ?? 2,
      companyId,
      contactId: input.contact ?? null,
      reporterId: actor.id,
      dueAt: input.due_at ? new Date(input.due_at) : null,
      fields,
    });
    await setLinks(tx, id, assignees, tagIds);
    const json = serializeTicket(await readTicket(tx, id));
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

/**
 * Edits a ticket. A given `version` must match the stored one (else 409 with the current
 * version); a `column` different from the current one moves the ticket to that column's end.
 * Without a `version`, a write that raced another is read and applied again (last writer wins).
 */
export async function updateTicket(db: Db, actor: Actor, id: number, patch: TicketPatch): Promise<Ticket> {
  let readVersion = 0;
  return lastWriterWins(
    patch.version,
    () =>
      updateOnce(db, actor, id, patch, (v) => {
        readVersion = v;
      }),
    () => readVersion,
  );
}

/**
 * The names of the tags a change took off and put on, as they were when it was made: the log
 * says "changed the tags from Bug to Bug, UI" even after a tag is renamed or deleted, and to a
 * reader who cannot list the project's tags (issue 13 row 10).
 */
async function tagNames(tx: Executor, ids: number[]): Promise<Record<string, string>> {
  if (!ids.length) return {};
  const rows = await tx
    .select({ id: tags.id, name: tags.name })
    .from(tags)
    .where(inArray(tags.id, [...new Set(ids)]));
  return Object.fromEntries(rows.map((r) => [String(r.id), r.name]));
}

/** One read-check-write of `updateTicket`; a lost version guard throws `VersionRace`. */
async function updateOnce(
  db: Db,
  actor: Actor,
  id: number,
  patch: TicketPatch,
  read: (version: number) => void,
): Promise<Ticket> {
  const { ticket, access } = await requireTicket(db, actor, id);
  read(ticket.version);
  authorize(true, canEditTicket(access, factsOf(ticket)), editRefusal(`${ticket.projectKey}-${ticket.number}`, 'edit'));
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
  const [fieldValues] = await Promise.all([
    checkFieldValues(db, projectId, patch.fields, ticket.fields, false),
    assignees ? checkAssignees(db, projectId, assignees) : null,
    tagIds ? checkTags(db, projectId, tagIds) : null,
    patch.company !== undefined ? checkCompany(db, projectId, companyId) : null,
    patch.contact !== undefined || patch.company !== undefined
      ? checkContact(db, projectId, contactId, companyId)
      : null,
  ]);
  return withPositionRetry(db, async (tx) => {
    const values: Partial<typeof tickets.$inferInsert> & Record<string, unknown> = {};
    const changed: Changed = {};
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
    if (assignees && assignees.join() !== ticket.assignees.join()) changed.assignees = [ticket.assignees, assignees];
    if (tagIds && tagIds.join() !== ticket.tagIds.join()) changed.tags = [ticket.tagIds, tagIds];
    if (fieldValues.changed.length) {
      values.fields = fieldValues.fields;
      for (const key of fieldValues.changed) {
        changed[`field_${key}`] = [ticket.fields[key] ?? null, fieldValues.fields[key] ?? null];
      }
    }
    if (!Object.keys(changed).length && !column) return serializeTicket(ticket);
    // A column change bumps the version in the move's write; other fields alone bump it here.
    if (Object.keys(values).length || !column) {
      const updated = await tx
        .update(tickets)
        .set(column ? values : { ...values, version: sql`${tickets.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(tickets.id, id), eq(tickets.version, ticket.version)))
        .returning({ id: tickets.id });
      if (!updated.length) throw new VersionRace();
    }
    await setLinks(tx, id, changed.assignees ? assignees : undefined, changed.tags ? tagIds : undefined);
    let json: Ticket;
    if (column) {
      const current = await readTicket(tx, id);
      const place = { column, position: await edgeKey(tx, column.id, 'bottom', id) };
      const written = await writeMoves(tx, actor, [{ ticket: current, place, changed }], { notify: true });
      if (!written) throw new VersionRace();
      json = written[0]!.json;
    } else {
      json = serializeTicket(await readTicket(tx, id));
      await recordChange(tx, {
        projectId,
        ticketId: id,
        actorId: actor.id,
        verb: 'ticket.updated',
        data: changed.tags ? { changed, tag_names: await tagNames(tx, [...ticket.tagIds, ...tagIds!]) } : { changed },
        // Taken from a company: its subscribers get the ticket's removal (events.ts `TicketChange`).
        payload: changed.company ? { ...json, previous_company: ticket.companyId } : json,
      });
    }
    if (changed.assignees) {
      await notifyAssigned(
        tx,
        actor,
        json,
        json.assignees.filter((a) => !ticket.assignees.includes(a)),
      );
    }
    return json;
  });
}

export async function setArchived(db: Db, actor: Actor, id: number, archived: boolean): Promise<Ticket> {
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
 * more. Each batch starts after the last id of the one before (a keyset): started from the
 * first id again, every batch would walk past all the rows archived so far, and 100,000
 * tickets took minutes instead of seconds. With `rest`, it waits that share of a batch's time
 * before the next (the job leaves room to readers). Returns how many were archived.
 *
 * A batch is two statements and no row crosses into JS on the way in (decision 0062): the
 * update, which picks, locks and archives the rows and returns their ids; then the activity
 * rows, the seq bumps and the events, their payloads built in SQL (`ticketJsonRows`) from the
 * rows as they now are. The second statement reads in a snapshot taken after the rows were
 * locked: one statement for both would read the assignees, tags and checklist as of before a
 * change committed while it waited, beside that change's ticket row.
 */
export async function archiveDueTickets(
  db: Db,
  options: { defaultHours: number; batchSize: number; rest?: number },
): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const started = performance.now();
    const batch = await transact(db, async (tx) => {
      const picked = await tx.execute<{ id: number }>(sql`
        update tickets t set is_archived = true, archived_at = now(), version = t.version + 1, updated_at = now()
        where t.id in (
          select d.id from tickets d join projects p on p.id = d.project_id
          where d.id > ${after}::int and not d.is_archived and d.status = 'done' and d.done_at is not null
            and d.done_at < now() - make_interval(hours => coalesce(p.archive_after_hours, ${options.defaultHours}::int))
          order by d.id limit ${options.batchSize}::int
          for update of d skip locked)
        returning t.id`);
      if (!picked.length) return { archived: 0, last: after };
      const ids = picked.map((r) => r.id);
      await recordChangesFrom(
        tx,
        'ticket.archived',
        null,
        sql`select j.project_id, j.id as ticket_id, jsonb_build_object('automatic', true, 'done_at', j.payload->'done_at') as data,
            j.payload
          from (${ticketJsonRows(sql`${`{${ids.join(',')}}`}::int[]`)}) j`,
      );
      return { archived: ids.length, last: Math.max(...ids) };
    });
    total += batch.archived;
    after = batch.last;
    if (batch.archived < options.batchSize) return total;
    if (options.rest) await sleep((performance.now() - started) * options.rest);
  }
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

/** A ticket filed by the system for someone outside the app (mail intake, SPEC §13). */
export interface IntakeTicket {
  project: number;
  title: string;
  description: string;
  /** The intake column; null (or a column since deleted) files it in the first column. */
  column: number | null;
  priority_id: number | null;
  source: 'email';
}

/** The ticket's contact and company, decided inside its transaction by `claim`. */
export interface IntakeClaim {
  contact: number | null;
  company: number | null;
}

/** What runs inside an intake ticket's transaction, around the ticket's own writes. */
export interface IntakeHooks<C extends IntakeClaim, T> {
  /** Runs first; null writes nothing (e.g. the message was imported already). */
  claim(tx: Tx): Promise<C | null>;
  /** Runs after the ticket row and its event, before commit (attachments, the mail log). */
  after(tx: Tx, ticket: Ticket, claim: C): Promise<T>;
}

/**
 * Files a ticket with no acting user: the same numbering, placement, activity row and
 * `ticket.created` event as `createTicket`, with `reporter` null and `source` set. The caller
 * has resolved the contact and company; no assignees, so nobody is notified by assignment.
 * Returns null when `claim` declined.
 */
export async function createIntakeTicket<C extends IntakeClaim, T>(
  db: Db,
  input: IntakeTicket,
  hooks: IntakeHooks<C, T>,
): Promise<{ ticket: Ticket; extra: T } | null> {
  const projectId = input.project;
  const column =
    input.column === null
      ? await firstColumn(db, projectId)
      : await checkColumn(db, projectId, input.column).catch(() => firstColumn(db, projectId));
  return withPositionRetry(db, async (tx) => {
    const claim = await hooks.claim(tx);
    if (!claim) return null;
    const id = await insertTicket(tx, projectId, column, 'bottom', {
      title: input.title,
      description: input.description,
      priorityId: input.priority_id ?? 2,
      companyId: claim.company,
      contactId: claim.contact,
      reporterId: null,
      source: input.source,
    });
    const json = serializeTicket(await readTicket(tx, id));
    await recordChange(tx, {
      projectId,
      ticketId: json.id,
      actorId: null,
      verb: 'ticket.created',
      data: { number: json.number, title: json.title, column: json.column },
      payload: json,
    });
    return { ticket: json, extra: await hooks.after(tx, json, claim) };
  });
}
