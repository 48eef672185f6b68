/**
 * Creates a project from an `ExportDoc` (every import source comes to one), inside the caller's
 * transaction (decision 0045): rows go in batches, every id of the document is remapped to the
 * new rows' ids, ordering keys and ticket numbers are kept. Users are matched by username or
 * email, companies by name; what has no match is left out and named in the warnings.
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
  userRoles,
} from '@laneway/db/schema';
import { sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import type { ExportDoc } from './export-format.ts';
import { recordChange } from './changes.ts';
import { serializeProject } from './projects.ts';

const BATCH = 1000;

export interface ImportResult {
  projectId: number;
  created: Record<string, number>;
  warnings: string[];
}

export interface WriteOptions {
  /** Overrides of the document's project name and key. */
  name?: string | undefined;
  key?: string | undefined;
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

/** Creates the document's project, the actor its superadmin. Every write is in `tx`. */
export async function writeProject(
  tx: Tx,
  actor: Actor,
  doc: ExportDoc,
  options: WriteOptions = {},
): Promise<ImportResult> {
  const warnings: string[] = [];
  const created: Record<string, number> = {};
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

  // People: by username, else by email (case-insensitive); each unmatched person named once.
  const userMap = new Map<number, number>();
  if (doc.users.length) {
    const usernames = doc.users.map((u) => u.username?.toLowerCase()).filter((u): u is string => !!u);
    const emails = doc.users.map((u) => u.email?.toLowerCase()).filter((u): u is string => !!u);
    const local = await tx.execute<{ id: number; username: string; email: string }>(sql`
      select id, lower(username) as username, lower(email) as email from users
      where lower(username) in (select jsonb_array_elements_text(${JSON.stringify(usernames)}::jsonb))
        or lower(email) in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`);
    const byName = new Map(local.map((u) => [u.username, u.id]));
    const byEmail = new Map(local.map((u) => [u.email, u.id]));
    for (const u of doc.users) {
      const id =
        (u.username && byName.get(u.username.toLowerCase())) || (u.email && byEmail.get(u.email.toLowerCase()));
      if (id) userMap.set(u.id, id);
      else {
        const label = [u.name, u.username && `@${u.username}`, u.email].filter(Boolean).join(' ');
        warnings.push(`No user matches ${label || `user ${u.id}`}: their work is kept without them`);
      }
    }
  }
  const user = (id: number | null) => (id === null ? null : (userMap.get(id) ?? null));

  const companyMap = new Map<number, number>();
  if (doc.companies.length) {
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
  }

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
  const linked = [...new Set(companyMap.values())];
  if (linked.length) await tx.insert(projectCompanies).values(linked.map((companyId) => ({ projectId, companyId })));

  const columnMap = new Map<number, { id: number; category: 'todo' | 'in_progress' | 'done' }>();
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
  const fieldMap = new Map<string, { id: string; type: string; options: Map<number, number> }>();
  for (const f of doc.fields) {
    const options = new Map<number, number>();
    const newOptions = [];
    for (const o of f.options) {
      const [row] = await tx.execute<{ id: number }>(sql`select nextval('field_option_ids')::int as id`);
      options.set(o.id, row!.id);
      newOptions.push({ id: row!.id, label: o.label, colour: o.colour });
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
    fieldMap.set(String(f.id), { id: String(row!.id), type: f.type, options });
  }
  created.fields = doc.fields.length;
  const fieldValues = (values: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const field = fieldMap.get(key);
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
        const column = columnMap.get(t.column);
        if (!column) throw new Error(`Ticket ${t.id} names no column of the document`);
        return {
          project_id: projectId,
          number: t.number,
          title: t.title,
          description: t.description,
          column_id: column.id,
          position: t.position,
          priority_id: t.priority,
          company_id: t.company === null ? null : (companyMap.get(t.company) ?? null),
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
      const id = byNumber.get(t.number)!;
      ticketMap.set(t.id, id);
      for (const a of new Set(t.assignees.map(user))) if (a !== null) assignees.push({ ticket_id: id, user_id: a });
      for (const g of new Set(t.tags)) {
        const tagId = tagMap.get(g);
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
    const ticketId = room.ticket === null ? null : (ticketMap.get(room.ticket) ?? null);
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

  // The history as it was (its data names the old ids), then this import's own line.
  for (const batch of chunks(doc.activity)) {
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
  created.activity = doc.activity.length;

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
  await step(1);
  return { projectId, created, warnings };
}
