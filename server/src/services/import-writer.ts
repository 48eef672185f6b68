/**
 * Writes an `ExportDoc` (every import source comes to one) inside the caller's transaction
 * (decision 0045): rows go in batches, and every id of the document is remapped to the new
 * rows' ids. Users are matched by username or email, companies by name; what has no match is
 * left out and named in the warnings.
 *
 * Two destinations share one content writer (`writeContent`: tickets and everything that hangs
 * off them). `writeProject` creates a new project and keeps the document's ordering keys and
 * ticket numbers. `writeIntoProject` adds to an existing one (decision 0054): columns, tags and
 * fields are matched to the project's by name, ticket numbers continue the project's sequence,
 * cards go after each column's last card, and every new ticket, column, tag and field is an
 * event on the board's topic, so people watching it see them arrive.
 */
import { copyFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Tx } from '@laneway/db/client';
import {
  attachments,
  chatRooms,
  columns,
  customFields,
  projectCompanies,
  projects,
  tags,
  ticketRelations,
  tickets,
  userRoles,
  type FieldOption,
} from '@laneway/db/schema';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest } from '../lib/errors.ts';
import { recordChange, recordChanges, type Change } from './changes.ts';
import { serializeColumn } from './columns.ts';
import type { ExportDoc, ExportTicket } from './export-format.ts';
import { serializeField } from './fields.ts';
import { keysAfter } from './ordering.ts';
import { accessChanged } from './publish.ts';
import { serializeProject } from './projects.ts';
import { serializeTag } from './tags.ts';
import { selectTickets, serializeTicket } from './tickets.ts';

const BATCH = 1000;

export interface ImportResult {
  projectId: number;
  created: Record<string, number>;
  warnings: string[];
}

export interface WriteOptions {
  /** Overrides of the document's project name and key (a new project only). */
  name?: string | undefined;
  key?: string | undefined;
  /**
   * Into an existing project: every ticket goes to the project's first open column (a CSV
   * without a mapped column, whose placeholder columns name nothing the project has).
   */
  firstColumn?: boolean | undefined;
  /** Reports progress (0..1) as batches go in. */
  progress?: (fraction: number) => Promise<void>;
  /** Where the archive's attachment files were extracted (`attachments/<id>` → a path), and where they go. */
  files?: { extracted: Map<string, string>; uploadDir: string; written: string[] };
}

function* chunks<T>(rows: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** A document time as PostgreSQL reads it: microseconds kept (a JS Date would cut them to milliseconds). */
const at = (s: string) => sql`${s}::timestamptz`;

/** How names are matched against the project's columns, tags, fields and rooms. */
const sameName = (name: string) => name.trim().toLowerCase();

/**
 * Inserts a batch of rows as one JSON parameter read by `jsonb_to_recordset`: one value to send
 * and parse per batch instead of one per cell (bench:import measures the difference), and times
 * keep their microseconds. `defs` names each column with its type; `rows` use those names.
 * Answers the `returning` columns in the rows' order.
 */
async function insertRows<R extends Record<string, unknown> = Record<string, never>>(
  tx: Tx,
  table: string,
  defs: Record<string, string>,
  rows: Record<string, unknown>[],
  returning?: string,
): Promise<R[]> {
  if (!rows.length) return [];
  const names = Object.keys(defs);
  const columnList = sql.raw(names.map((n) => `"${n}"`).join(', '));
  const typed = sql.raw(names.map((n) => `"${n}" ${defs[n]}`).join(', '));
  const tail = returning ? sql.raw(` returning ${returning}`) : sql``;
  return [
    ...(await tx.execute<Record<string, unknown>>(
      sql`insert into ${sql.identifier(table)} (${columnList})
        select ${columnList} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${typed})${tail}`,
    )),
  ] as R[];
}

/** A key that no project uses yet: the wanted one, else it with 2, 3… appended. */
async function freeKey(tx: Tx, wanted: string): Promise<string> {
  const base =
    wanted
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 8) || 'IMP';
  const taken = new Set(
    (
      await tx.execute<{ key: string }>(sql`select upper(key) as key from projects where upper(key) like ${base + '%'}`)
    ).map((r) => r.key),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base.slice(0, 7)}${n}`)) return `${base.slice(0, 7)}${n}`;
}

/** A document person in words, for warnings: "Alice @alice alice@example.com". */
const personLabel = (u: ExportDoc['users'][number]) =>
  [u.name, u.username && `@${u.username}`, u.email].filter(Boolean).join(' ') || `user ${u.id}`;

/** The document's user ids mapped to ours (null: nobody here), by `matchUsers`. */
type UserLookup = (id: number | null) => number | null;

/** People: by username, else by email (case-insensitive); each unmatched person named once. */
async function matchUsers(tx: Tx, doc: ExportDoc, warnings: string[]): Promise<UserLookup> {
  const userMap = new Map<number, number>();
  const lookup: UserLookup = (id) => (id === null ? null : (userMap.get(id) ?? null));
  if (!doc.users.length) return lookup;
  const usernames = doc.users.map((u) => u.username?.toLowerCase()).filter((u): u is string => !!u);
  const emails = doc.users.map((u) => u.email?.toLowerCase()).filter((u): u is string => !!u);
  const local = await tx.execute<{ id: number; username: string; email: string }>(sql`
    select id, lower(username) as username, lower(email) as email from users
    where lower(username) in (select jsonb_array_elements_text(${JSON.stringify(usernames)}::jsonb))
      or lower(email) in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`);
  const byName = new Map(local.map((u) => [u.username, u.id]));
  const byEmail = new Map(local.map((u) => [u.email, u.id]));
  for (const u of doc.users) {
    const id = (u.username && byName.get(u.username.toLowerCase())) || (u.email && byEmail.get(u.email.toLowerCase()));
    if (id) userMap.set(u.id, id);
    else warnings.push(`No user matches ${personLabel(u)}: their work is kept without them`);
  }
  return lookup;
}

/** Companies by name (case-insensitive): id in the document → id here. */
async function matchCompanies(tx: Tx, doc: ExportDoc, warnings: string[]): Promise<Map<number, number>> {
  const companyMap = new Map<number, number>();
  if (!doc.companies.length) return companyMap;
  const names = doc.companies.map((c) => c.name.toLowerCase());
  const local = await tx.execute<{ id: number; name: string }>(
    sql`select id, lower(name) as name from companies
      where lower(name) in (select jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`,
  );
  const byName = new Map(local.map((c) => [c.name, c.id]));
  for (const c of doc.companies) {
    const id = byName.get(c.name.toLowerCase());
    if (id) companyMap.set(c.id, id);
    else warnings.push(`No company named "${c.name}": its tickets are imported without a company`);
  }
  return companyMap;
}

interface ColumnTarget {
  id: number;
  category: 'todo' | 'in_progress' | 'done';
}

interface FieldTarget {
  id: string;
  type: string;
  options: Map<number, number>;
}

/** Where the document's rows land: the ids its references become, and each ticket's number and key. */
interface Placement {
  projectId: number;
  user: (id: number | null) => number | null;
  /** An assignee kept on the ticket (a person here, and one that may be assigned), else null. */
  assignee: (id: number) => number | null;
  company: (id: number | null) => number | null;
  column: (id: number) => ColumnTarget | undefined;
  tag: (id: number) => number | undefined;
  fields: Map<string, FieldTarget>;
  number: (t: ExportTicket) => number;
  position: (t: ExportTicket) => string;
  /** A project-wide room of the document, or one whose ticket it lacks (ticket rooms are always new). */
  projectRoom: (room: ExportDoc['chat_rooms'][number]) => Promise<number>;
  /** Whether the document's project-level history (rows of no ticket) is carried over. */
  projectActivity: boolean;
  /** Runs once per batch of tickets, after their assignees, tags and checklists are in. */
  afterTickets?: (ids: number[]) => Promise<void>;
}

/**
 * Tickets and everything hanging off them (assignees, tags, checklists, comments, relations,
 * chat, history, attachments), as `place` says. Fills `created` and `warnings`.
 */
async function writeContent(
  tx: Tx,
  doc: ExportDoc,
  place: Placement,
  options: WriteOptions,
  report: { created: Record<string, number>; warnings: string[] },
): Promise<void> {
  const { created, warnings } = report;
  const { projectId, user } = place;
  const total =
    doc.tickets.length +
    doc.comments.length +
    doc.chat_messages.length +
    doc.activity.length +
    doc.attachments.length +
    1;
  let doneRows = 0;
  const step = async (n: number) => {
    doneRows += n;
    await options.progress?.(Math.min(doneRows / total, 1));
  };

  const fieldValues = (values: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const field = place.fields.get(key);
      if (!field) continue;
      if (field.type === 'select' && typeof value === 'number') out[field.id] = field.options.get(value) ?? null;
      else if (field.type === 'multi_select' && Array.isArray(value))
        out[field.id] = value.map((v) => field.options.get(v as number)).filter((v) => v !== undefined);
      else if (field.type === 'user' && typeof value === 'number') out[field.id] = user(value);
      else out[field.id] = value;
      if (out[field.id] === null) delete out[field.id];
    }
    return out;
  };

  const ticketMap = new Map<number, number>();
  for (const batch of chunks(doc.tickets)) {
    const rows = await insertRows<{ id: number; number: number }>(
      tx,
      'tickets',
      {
        project_id: 'int',
        number: 'int',
        title: 'text',
        description: 'text',
        column_id: 'int',
        position: 'text',
        priority_id: 'int',
        company_id: 'int',
        reporter_id: 'int',
        due_at: 'timestamptz',
        status: 'column_category',
        done_at: 'timestamptz',
        is_archived: 'boolean',
        archived_at: 'timestamptz',
        fields: 'jsonb',
        source: 'ticket_source',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
      },
      batch.map((t) => {
        const column = place.column(t.column);
        if (!column) throw new Error(`Ticket ${t.id} names no column of the document`);
        return {
          project_id: projectId,
          number: place.number(t),
          title: t.title,
          description: t.description,
          column_id: column.id,
          position: place.position(t),
          priority_id: t.priority,
          company_id: place.company(t.company),
          reporter_id: user(t.reporter),
          due_at: t.due_at,
          status: column.category,
          done_at: column.category === 'done' ? (t.done_at ?? t.updated_at) : null,
          is_archived: t.is_archived,
          archived_at: t.is_archived ? (t.archived_at ?? t.updated_at) : null,
          fields: fieldValues(t.fields),
          source: t.source,
          created_at: t.created_at,
          updated_at: t.updated_at,
        };
      }),
      'id, number',
    );
    const byNumber = new Map(rows.map((r) => [r.number, r.id]));
    const assignees: { ticket_id: number; user_id: number }[] = [];
    const ticketTagRows: { ticket_id: number; tag_id: number }[] = [];
    const items: { ticket_id: number; text: string; done: boolean; position: string }[] = [];
    for (const t of batch) {
      const id = byNumber.get(place.number(t))!;
      ticketMap.set(t.id, id);
      for (const a of new Set(t.assignees.map(place.assignee))) {
        if (a !== null) assignees.push({ ticket_id: id, user_id: a });
      }
      for (const tagId of new Set(t.tags.map(place.tag))) {
        if (tagId) ticketTagRows.push({ ticket_id: id, tag_id: tagId });
      }
      for (const item of t.checklist) items.push({ ticket_id: id, ...item });
    }
    await insertRows(tx, 'ticket_assignees', { ticket_id: 'int', user_id: 'int' }, assignees);
    await insertRows(tx, 'ticket_tags', { ticket_id: 'int', tag_id: 'int' }, ticketTagRows);
    for (const part of chunks(items)) {
      await insertRows(
        tx,
        'checklist_items',
        { ticket_id: 'int', text: 'text', done: 'boolean', position: 'text' },
        part,
      );
    }
    created.checklist_items = (created.checklist_items ?? 0) + items.length;
    await place.afterTickets?.(rows.map((r) => r.id));
    await step(batch.length);
  }
  created.tickets = doc.tickets.length;

  // Comments in document order: a reply's parent is always written before it.
  const commentMap = new Map<number, number>();
  for (const batch of chunks(doc.comments)) {
    const rows = await insertRows<{ id: number }>(
      tx,
      'comments',
      {
        ticket_id: 'int',
        author_id: 'int',
        parent_id: 'int',
        body: 'text',
        internal: 'boolean',
        created_at: 'timestamptz',
        edited_at: 'timestamptz',
        deleted_at: 'timestamptz',
      },
      batch.map((c) => ({
        ticket_id: ticketMap.get(c.ticket)!,
        author_id: user(c.author),
        parent_id: c.parent === null ? null : (commentMap.get(c.parent) ?? null),
        body: c.body,
        internal: c.internal,
        created_at: c.created_at,
        edited_at: c.edited_at,
        deleted_at: c.deleted_at,
      })),
      'id',
    );
    // INSERT … SELECT … RETURNING answers rows in the order the function scan gave them.
    batch.forEach((c, i) => commentMap.set(c.id, rows[i]!.id));
    // A reply in the same batch as its parent is linked once both have ids.
    const late = batch
      .filter((c) => c.parent !== null && commentMap.has(c.parent))
      .map((c) => [commentMap.get(c.id)!, commentMap.get(c.parent!)!]);
    if (late.length) {
      await tx.execute(sql`update comments c set parent_id = (v->>1)::int
        from jsonb_array_elements(${JSON.stringify(late)}::jsonb) v
        where c.id = (v->>0)::int and c.parent_id is null`);
    }
    await step(batch.length);
  }
  created.comments = doc.comments.length;

  const relationRows = doc.relations
    .map((r) => ({
      fromTicketId: ticketMap.get(r.from)!,
      toTicketId: ticketMap.get(r.to)!,
      kind: r.kind,
      createdBy: user(r.created_by),
      createdAt: at(r.created_at),
    }))
    .filter((r) => r.fromTicketId && r.toTicketId);
  for (const part of chunks(relationRows)) await tx.insert(ticketRelations).values(part);
  created.relations = relationRows.length;

  const roomMap = new Map<number, number>();
  for (const room of doc.chat_rooms) {
    const ticketId = room.ticket === null ? undefined : ticketMap.get(room.ticket);
    if (ticketId === undefined) {
      roomMap.set(room.id, await place.projectRoom(room));
      continue;
    }
    const [row] = await tx
      .insert(chatRooms)
      .values({ projectId, ticketId, name: room.name, createdAt: at(room.created_at) })
      .returning({ id: chatRooms.id });
    roomMap.set(room.id, row!.id);
  }
  for (const batch of chunks(doc.chat_messages.filter((m) => roomMap.has(m.room)))) {
    await insertRows(
      tx,
      'chat_messages',
      {
        room_id: 'int',
        author_id: 'int',
        body: 'text',
        via: 'chat_via',
        created_at: 'timestamptz',
        edited_at: 'timestamptz',
        deleted_at: 'timestamptz',
      },
      batch.map((m) => ({
        room_id: roomMap.get(m.room)!,
        author_id: user(m.author),
        body: m.body,
        via: m.via,
        created_at: m.created_at,
        edited_at: m.edited_at,
        deleted_at: m.deleted_at,
      })),
    );
    await step(batch.length);
  }
  created.chat_messages = doc.chat_messages.length;

  // The history as it was (its data names the old ids).
  const history = place.projectActivity ? doc.activity : doc.activity.filter((a) => a.ticket !== null);
  for (const batch of chunks(history)) {
    await insertRows(
      tx,
      'activity',
      { project_id: 'int', ticket_id: 'int', actor_id: 'int', verb: 'text', data: 'jsonb', created_at: 'timestamptz' },
      batch.map((a) => ({
        project_id: projectId,
        ticket_id: a.ticket === null ? null : (ticketMap.get(a.ticket) ?? null),
        actor_id: user(a.actor),
        verb: a.verb,
        data: a.data ?? {},
        created_at: a.created_at,
      })),
    );
    await step(batch.length);
  }
  created.activity = history.length;

  let files = 0;
  for (const a of doc.attachments) {
    const ticketId = ticketMap.get(a.ticket);
    const source = a.file ? options.files?.extracted.get(a.file) : undefined;
    if (!ticketId || !source || !options.files) {
      warnings.push(`Attachment "${a.filename}" has no file in the archive: left out`);
      continue;
    }
    const key = randomUUID();
    const target = path.join(path.resolve(options.files.uploadDir), key);
    options.files.written.push(target);
    await copyFile(source, target);
    await tx.insert(attachments).values({
      ticketId,
      uploaderId: user(a.uploader),
      filename: a.filename,
      contentType: a.content_type,
      size: a.size,
      sha256: a.sha256,
      storageKey: key,
      createdAt: at(a.created_at),
    });
    files++;
    await step(1);
  }
  created.attachments = files;
}

/** Creates the document's project, the actor its superadmin. Every write is in `tx`. */
export async function writeProject(
  tx: Tx,
  actor: Actor,
  doc: ExportDoc,
  options: WriteOptions = {},
): Promise<ImportResult> {
  const warnings: string[] = [];
  const created: Record<string, number> = {};
  const user = await matchUsers(tx, doc, warnings);
  const companyMap = await matchCompanies(tx, doc, warnings);

  const maxNumber = doc.tickets.reduce((m, t) => Math.max(m, t.number), 0);
  const [project] = await tx
    .insert(projects)
    .values({
      name: options.name ?? doc.project.name,
      key: await freeKey(tx, options.key ?? doc.project.key),
      description: doc.project.description,
      archiveAfterHours: doc.project.archive_after_hours,
      createdBy: actor.id,
      ticketSeq: maxNumber,
    })
    .returning();
  const p = project!;
  const projectId = p.id;
  const roles = new Map<number, (typeof doc.members)[number]['role']>([[actor.id, 'superadmin']]);
  for (const m of doc.members) {
    const id = user(m.user);
    if (id !== null && !roles.has(id)) roles.set(id, m.role);
  }
  await tx.insert(userRoles).values([...roles].map(([userId, role]) => ({ projectId, userId, role })));
  // New roles make people staff (write budgets, docs/decisions/0056): their cached credentials go.
  accessChanged(roles.keys(), projectId);
  const linked = [...new Set(companyMap.values())];
  if (linked.length) await tx.insert(projectCompanies).values(linked.map((companyId) => ({ projectId, companyId })));

  const columnMap = new Map<number, ColumnTarget>();
  const columnRows = await tx
    .insert(columns)
    .values(
      doc.columns.map((c) => ({
        projectId,
        name: c.name,
        category: c.category,
        wipLimit: c.wip_limit,
        position: c.position,
      })),
    )
    .returning({ id: columns.id, position: columns.position, category: columns.category });
  const columnByKey = new Map(columnRows.map((r) => [r.position, r]));
  for (const c of doc.columns) columnMap.set(c.id, columnByKey.get(c.position)!);
  created.columns = columnRows.length;

  const tagMap = new Map<number, number>();
  if (doc.tags.length) {
    const rows = await tx
      .insert(tags)
      .values(doc.tags.map((t) => ({ projectId, name: t.name, colour: t.colour })))
      .returning({ id: tags.id, name: tags.name });
    const byName = new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
    for (const t of doc.tags) tagMap.set(t.id, byName.get(t.name.toLowerCase())!);
  }
  created.tags = doc.tags.length;

  // Custom fields: options get fresh ids from the one sequence (decision 0027), values follow.
  const fieldMap = new Map<string, FieldTarget>();
  for (const f of doc.fields) {
    const optionIds = new Map<number, number>();
    const newOptions: FieldOption[] = [];
    for (const o of f.options) {
      const id = await nextOptionId(tx);
      optionIds.set(o.id, id);
      newOptions.push({ id, label: o.label, colour: o.colour });
    }
    const [row] = await tx
      .insert(customFields)
      .values({
        projectId,
        name: f.name,
        type: f.type,
        options: newOptions,
        required: f.required,
        showOnCard: f.show_on_card,
        position: f.position,
      })
      .returning({ id: customFields.id });
    fieldMap.set(String(f.id), { id: String(row!.id), type: f.type, options: optionIds });
  }
  created.fields = doc.fields.length;

  await writeContent(
    tx,
    doc,
    {
      projectId,
      user,
      assignee: user,
      company: (id) => (id === null ? null : (companyMap.get(id) ?? null)),
      column: (id) => columnMap.get(id),
      tag: (id) => tagMap.get(id),
      fields: fieldMap,
      // Numbers and keys as they were: the project is the document's.
      number: (t) => t.number,
      position: (t) => t.position,
      projectRoom: async (room) => {
        const [row] = await tx
          .insert(chatRooms)
          .values({ projectId, ticketId: null, name: room.name, createdAt: at(room.created_at) })
          .returning({ id: chatRooms.id });
        return row!.id;
      },
      projectActivity: true,
    },
    options,
    { created, warnings },
  );

  // The import's own line comes last in the history.
  await recordChange(tx, {
    projectId,
    ticketId: null,
    actorId: actor.id,
    verb: 'project.created',
    data: { name: p.name },
    payload: serializeProject(
      p,
      linked.sort((a, b) => a - b),
      'superadmin',
    ),
  });
  await options.progress?.(1);
  return { projectId, created, warnings };
}

async function nextOptionId(tx: Tx): Promise<number> {
  const [row] = await tx.execute<{ id: number }>(sql`select nextval('field_option_ids')::int as id`);
  return row!.id;
}

/**
 * Adds the document to project `projectId` (decision 0054). Under the project row's lock (the
 * one ticket creation and column creation take, so numbers and column keys cannot collide):
 * columns, tags and custom fields are matched to the project's by name (trimmed,
 * case-insensitive) and created when missing (columns at the right end); select options by
 * label. Ticket numbers continue the project's sequence in the document's order; each column's
 * imported cards follow its last card in their document order. Only companies linked to the
 * project and assignees who are its members are kept (an import does not change who sees the
 * board); the others are named in the warnings. The board topic gets a `column.created`,
 * `tag.created`, `field.created`/`field.updated` and `ticket.created` event for each.
 */
export async function writeIntoProject(
  tx: Tx,
  actor: Actor,
  projectId: number,
  doc: ExportDoc,
  options: WriteOptions = {},
): Promise<ImportResult> {
  const warnings: string[] = [];
  const created: Record<string, number> = {};
  const [project] = await tx.execute<{ id: number }>(sql`select id from projects where id = ${projectId} for update`);
  if (!project) throw badRequest('The project to import into no longer exists');
  // The board's new columns, fields and tags, recorded before any card that uses them.
  const events: Change[] = [];
  const board = { projectId, actorId: actor.id, ticketId: null };

  const user = await matchUsers(tx, doc, warnings);

  // Companies and assignees: only those that already belong to the project.
  const companyMap = await matchCompanies(tx, doc, warnings);
  const linked = new Set(
    (
      await tx
        .select({ id: projectCompanies.companyId })
        .from(projectCompanies)
        .where(eq(projectCompanies.projectId, projectId))
    ).map((r) => r.id),
  );
  for (const c of doc.companies) {
    const id = companyMap.get(c.id);
    if (id !== undefined && !linked.has(id)) {
      companyMap.delete(c.id);
      warnings.push(`The company "${c.name}" is not linked to this project: its tickets are imported without it`);
    }
  }
  const members = new Set(
    (await tx.select({ id: userRoles.userId }).from(userRoles).where(eq(userRoles.projectId, projectId))).map(
      (r) => r.id,
    ),
  );
  const notMembers = new Set<number>();
  const assignee = (id: number) => {
    const local = user(id);
    if (local === null || members.has(local)) return local;
    notMembers.add(id);
    return null;
  };

  // Columns: by name, else appended at the right end.
  const existingColumns = await tx
    .select()
    .from(columns)
    .where(eq(columns.projectId, projectId))
    .orderBy(asc(columns.position));
  const columnByName = new Map<string, ColumnTarget & { position: string }>();
  for (const c of existingColumns) if (!columnByName.has(sameName(c.name))) columnByName.set(sameName(c.name), c);
  const docColumns = [...doc.columns].sort((a, b) => (a.position < b.position ? -1 : 1));
  const first = existingColumns.find((c) => c.category === 'todo') ?? existingColumns[0];
  let lastColumnKey = existingColumns.at(-1)?.position ?? null;
  const columnMap = new Map<number, ColumnTarget>();
  created.columns = 0;
  for (const c of docColumns) {
    const found = options.firstColumn && first ? first : columnByName.get(sameName(c.name));
    if (found) {
      columnMap.set(c.id, { id: found.id, category: found.category });
      continue;
    }
    [lastColumnKey] = keysAfter(lastColumnKey, 1) as [string];
    const [row] = await tx
      .insert(columns)
      .values({ projectId, name: c.name.trim(), category: c.category, wipLimit: c.wip_limit, position: lastColumnKey })
      .returning();
    columnByName.set(sameName(c.name), row!);
    columnMap.set(c.id, { id: row!.id, category: row!.category });
    created.columns++;
    events.push({ ...board, verb: 'column.created', data: { column: row!.id }, payload: serializeColumn(row!) });
  }

  // Custom fields: by name and type; select options by label, the missing ones added.
  const existingFields = await tx
    .select()
    .from(customFields)
    .where(eq(customFields.projectId, projectId))
    .orderBy(asc(customFields.position));
  const fieldByName = new Map<string, (typeof existingFields)[number]>();
  for (const f of existingFields) if (!fieldByName.has(sameName(f.name))) fieldByName.set(sameName(f.name), f);
  let lastFieldKey = existingFields.at(-1)?.position ?? null;
  const fieldMap = new Map<string, FieldTarget>();
  created.fields = 0;
  for (const f of [...doc.fields].sort((a, b) => (a.position < b.position ? -1 : 1))) {
    const found = fieldByName.get(sameName(f.name));
    if (found && found.type !== f.type) {
      warnings.push(
        `The field "${found.name}" here is ${found.type}, in the file ${f.type}: the file's values for it are left out`,
      );
      continue;
    }
    const options: FieldOption[] = found ? [...found.options] : [];
    const optionIds = new Map<number, number>();
    let added = 0;
    for (const o of f.options) {
      const same = options.find((x) => sameName(x.label) === sameName(o.label));
      if (same) {
        optionIds.set(o.id, same.id);
        continue;
      }
      const id = await nextOptionId(tx);
      optionIds.set(o.id, id);
      options.push({ id, label: o.label.trim(), colour: o.colour });
      added++;
    }
    if (found) {
      if (added) {
        const [row] = await tx.update(customFields).set({ options }).where(eq(customFields.id, found.id)).returning();
        fieldByName.set(sameName(f.name), row!);
        events.push({
          ...board,
          verb: 'field.updated',
          data: { field: row!.id, fields: ['options'], removed_options: [] },
          payload: serializeField(row!),
        });
      }
      fieldMap.set(String(f.id), { id: String(found.id), type: f.type, options: optionIds });
      continue;
    }
    [lastFieldKey] = keysAfter(lastFieldKey, 1) as [string];
    const [row] = await tx
      .insert(customFields)
      .values({
        projectId,
        name: f.name.trim(),
        type: f.type,
        options,
        required: f.required,
        showOnCard: f.show_on_card,
        position: lastFieldKey,
      })
      .returning();
    fieldByName.set(sameName(f.name), row!);
    fieldMap.set(String(f.id), { id: String(row!.id), type: f.type, options: optionIds });
    created.fields++;
    events.push({
      ...board,
      verb: 'field.created',
      data: { field: row!.id, name: row!.name },
      payload: serializeField(row!),
    });
  }

  // Tags: by name, the missing ones created.
  const tagByName = new Map<string, number>();
  for (const t of await tx.select().from(tags).where(eq(tags.projectId, projectId)).orderBy(asc(tags.id))) {
    if (!tagByName.has(sameName(t.name))) tagByName.set(sameName(t.name), t.id);
  }
  const newTags = new Map<string, { name: string; colour: string }>();
  for (const t of doc.tags) {
    const name = sameName(t.name);
    if (name && !tagByName.has(name) && !newTags.has(name))
      newTags.set(name, { name: t.name.trim(), colour: t.colour });
  }
  if (newTags.size) {
    const rows = await tx
      .insert(tags)
      .values([...newTags.values()].map((t) => ({ projectId, ...t })))
      .returning();
    for (const row of rows) {
      tagByName.set(sameName(row.name), row.id);
      events.push({ ...board, verb: 'tag.created', data: { tag: row.id }, payload: serializeTag(row) });
    }
  }
  created.tags = newTags.size;
  const docTags = new Map(doc.tags.map((t) => [t.id, tagByName.get(sameName(t.name))]));

  // Numbers continue the project's sequence, in the document's order of numbers.
  const byNumber = [...doc.tickets].sort((a, b) => a.number - b.number || a.id - b.id);
  const [seq] = await tx
    .update(projects)
    .set({ ticketSeq: sql`${projects.ticketSeq} + ${doc.tickets.length}` })
    .where(eq(projects.id, projectId))
    .returning({ n: projects.ticketSeq });
  const base = seq!.n - doc.tickets.length;
  const numbers = new Map(byNumber.map((t, i) => [t.id, base + i + 1]));

  // Places: after each column's last card (archived ones too: the unique key spans them), in
  // the order of the document's columns, then of its cards.
  const columnRank = new Map(docColumns.map((c, i) => [c.id, i]));
  const perColumn = new Map<number, ExportTicket[]>();
  for (const t of doc.tickets) {
    const target = columnMap.get(t.column);
    if (!target) continue;
    perColumn.set(target.id, [...(perColumn.get(target.id) ?? []), t]);
  }
  const positions = new Map<number, string>();
  if (perColumn.size) {
    const lastKeys = new Map(
      (
        await tx.execute<{ column_id: number; position: string }>(sql`
          select column_id, max(position) as position from tickets
          where column_id in (select jsonb_array_elements_text(${JSON.stringify([...perColumn.keys()])}::jsonb)::int)
          group by column_id`)
      ).map((r) => [r.column_id, r.position]),
    );
    for (const [columnId, list] of perColumn) {
      list.sort(
        (a, b) =>
          columnRank.get(a.column)! - columnRank.get(b.column)! ||
          (a.position < b.position ? -1 : a.position > b.position ? 1 : 0),
      );
      const keys = keysAfter(lastKeys.get(columnId) ?? null, list.length);
      list.forEach((t, i) => positions.set(t.id, keys[i]!));
    }
  }

  await recordChanges(tx, events);

  await writeContent(
    tx,
    doc,
    {
      projectId,
      user,
      assignee,
      company: (id) => (id === null ? null : (companyMap.get(id) ?? null)),
      column: (id) => columnMap.get(id),
      tag: (id) => docTags.get(id),
      fields: fieldMap,
      number: (t) => numbers.get(t.id)!,
      position: (t) => positions.get(t.id)!,
      projectRoom: async (room) => {
        const [same] = await tx
          .select({ id: chatRooms.id })
          .from(chatRooms)
          .where(
            and(
              eq(chatRooms.projectId, projectId),
              isNull(chatRooms.ticketId),
              sql`lower(trim(${chatRooms.name})) = ${sameName(room.name)}`,
            ),
          )
          .orderBy(asc(chatRooms.id))
          .limit(1);
        if (same) return same.id;
        const [row] = await tx
          .insert(chatRooms)
          .values({ projectId, ticketId: null, name: room.name, createdAt: at(room.created_at) })
          .returning({ id: chatRooms.id });
        return row!.id;
      },
      // The other project's own history (its creation, its columns) is not this project's.
      projectActivity: false,
      afterTickets: async (ids) => {
        const rows = await selectTickets(tx).where(inArray(tickets.id, ids)).orderBy(asc(tickets.number));
        await recordChanges(
          tx,
          rows.map((row) => ({
            projectId,
            ticketId: row.id,
            actorId: actor.id,
            verb: 'ticket.created' as const,
            data: { number: row.number, title: row.title, column: row.columnId },
            payload: serializeTicket(row),
          })),
        );
      },
    },
    options,
    { created, warnings },
  );
  for (const id of notMembers) {
    const person = doc.users.find((u) => u.id === id);
    warnings.push(
      `${person ? personLabel(person) : `User ${id}`} is not a member of this project: left off the tickets they were assigned`,
    );
  }
  await options.progress?.(1);
  return { projectId, created, warnings };
}
