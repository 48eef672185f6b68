/**
 * A project's export (SPEC §15, decision 0044): a `.tar.gz` of `project.json` (the shape of
 * `export-format.ts`) and `attachments/<id>` for every stored file.
 *
 * Memory stays flat however large the project: rows are read with postgres.js cursors (500 at a
 * time), built into JSON by PostgreSQL, and written to a temporary file, since a tar entry
 * states its size before its bytes; the archive then streams that file and the attachments
 * from disk through gzip. Every read runs in one repeatable-read transaction, so the document
 * is one consistent snapshot. Tables with a stored `search_vector` are read by named columns.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Db } from '@laneway/db/client';
import type postgres from 'postgres';
import tar from 'tar-stream';
import type { Actor } from '../lib/actor.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export-format.ts';
import { requireProjectManager } from './projects.ts';

const CURSOR_ROWS = 500;
const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An export ready to stream: the archive's bytes and a file name for Content-Disposition. */
export interface ProjectExport {
  filename: string;
  stream: Readable;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

type Sql = postgres.Sql | postgres.TransactionSql;

/**
 * Writes `"name": [ ...rows ]` from a query whose one column `j` is a row's JSON text.
 * `each` sees every row (attachments use it to learn which files to pack).
 */
async function writeArray(
  out: Writable,
  name: string,
  query: postgres.PendingQuery<{ j: string }[]>,
  each?: (row: string) => void,
): Promise<void> {
  await write(out, `,\n${JSON.stringify(name)}: [`);
  let first = true;
  // The iterator, not the callback: postgres.js does not await a callback's last batch.
  for await (const rows of query.cursor(CURSOR_ROWS)) {
    let chunk = '';
    for (const row of rows) {
      chunk += (first ? '\n' : ',\n') + row.j;
      first = false;
      each?.(row.j);
    }
    await write(out, chunk);
  }
  await write(out, first ? ']' : '\n]');
}

interface Packed {
  json: string;
  files: { id: number; key: string }[];
  name: string;
}

/** Writes project.json for `projectId` into `file`; answers the attachments to pack. */
async function writeProjectJson(sql: Sql, projectId: number, file: string, uploadDir: string): Promise<Packed> {
  const out = createWriteStream(file);
  const files: { id: number; key: string }[] = [];
  let name: string;
  try {
    const [project] = await sql<{ name: string; key: string; j: string }[]>`
      select name, key, json_build_object('name', name, 'key', key, 'description', description,
        'archive_after_hours', archive_after_hours)::text as j
      from projects where id = ${projectId}`;
    name = project!.key;
    await write(
      out,
      `{"format": ${JSON.stringify(EXPORT_FORMAT)}, "version": ${EXPORT_VERSION}, ` +
        `"exported_at": ${JSON.stringify(new Date().toISOString())},\n"project": ${project!.j}`,
    );
    await writeArray(
      out,
      'columns',
      sql`select json_build_object('id', id, 'name', name, 'category', category, 'wip_limit', wip_limit,
          'position', position)::text as j
        from columns where project_id = ${projectId} order by position`,
    );
    await writeArray(
      out,
      'tags',
      sql`select json_build_object('id', id, 'name', name, 'colour', colour)::text as j
        from tags where project_id = ${projectId} order by id`,
    );
    await writeArray(
      out,
      'fields',
      sql`select json_build_object('id', id, 'name', name, 'type', type, 'options', options,
          'required', required, 'show_on_card', show_on_card, 'position', position)::text as j
        from custom_fields where project_id = ${projectId} order by position`,
    );
    await writeArray(
      out,
      'tickets',
      sql`select json_build_object('id', t.id, 'number', t.number, 'title', t.title,
          'description', t.description, 'column', t.column_id, 'position', t.position,
          'priority', t.priority_id, 'company', t.company_id, 'reporter', t.reporter_id,
          'assignees', coalesce((select json_agg(a.user_id order by a.user_id)
            from ticket_assignees a where a.ticket_id = t.id), '[]'),
          'tags', coalesce((select json_agg(g.tag_id order by g.tag_id)
            from ticket_tags g where g.ticket_id = t.id), '[]'),
          'due_at', t.due_at, 'done_at', t.done_at, 'is_archived', t.is_archived,
          'archived_at', t.archived_at, 'fields', t.fields, 'source', t.source,
          'created_at', t.created_at, 'updated_at', t.updated_at,
          'checklist', coalesce((select json_agg(json_build_object('text', c.text, 'done', c.done,
              'position', c.position) order by c.position)
            from checklist_items c where c.ticket_id = t.id), '[]'))::text as j
        from tickets t where t.project_id = ${projectId} order by t.id`,
    );
    await writeArray(
      out,
      'comments',
      sql`select json_build_object('id', c.id, 'ticket', c.ticket_id, 'author', c.author_id,
          'parent', c.parent_id, 'body', c.body, 'internal', c.internal, 'created_at', c.created_at,
          'edited_at', c.edited_at, 'deleted_at', c.deleted_at)::text as j
        from comments c join tickets t on t.id = c.ticket_id
        where t.project_id = ${projectId} order by c.id`,
    );
    await writeArray(
      out,
      'relations',
      sql`select json_build_object('from', r.from_ticket_id, 'to', r.to_ticket_id, 'kind', r.kind,
          'created_by', r.created_by, 'created_at', r.created_at)::text as j
        from ticket_relations r
        join tickets f on f.id = r.from_ticket_id and f.project_id = ${projectId}
        join tickets o on o.id = r.to_ticket_id and o.project_id = ${projectId}
        order by r.id`,
    );
    await writeArray(
      out,
      'chat_rooms',
      sql`select json_build_object('id', id, 'ticket', ticket_id, 'name', name,
          'created_at', created_at)::text as j
        from chat_rooms where project_id = ${projectId} order by id`,
    );
    await writeArray(
      out,
      'chat_messages',
      sql`select json_build_object('room', m.room_id, 'author', m.author_id, 'body', m.body, 'via', m.via,
          'created_at', m.created_at, 'edited_at', m.edited_at, 'deleted_at', m.deleted_at)::text as j
        from chat_messages m join chat_rooms r on r.id = m.room_id
        where r.project_id = ${projectId} order by m.id`,
    );
    await writeArray(
      out,
      'activity',
      sql`select json_build_object('ticket', ticket_id, 'actor', actor_id, 'verb', verb, 'data', data,
          'created_at', created_at)::text as j
        from activity where project_id = ${projectId} order by id`,
    );
    const attachmentRows = sql<{ j: string }[]>`
      select json_build_object('id', a.id, 'ticket', a.ticket_id, 'uploader', a.uploader_id,
        'filename', a.filename, 'content_type', a.content_type, 'size', a.size, 'sha256', a.sha256,
        'created_at', a.created_at, 'key', a.storage_key)::text as j
      from attachments a join tickets t on t.id = a.ticket_id
      where t.project_id = ${projectId} order by a.id`;
    await write(out, ',\n"attachments": [');
    let first = true;
    for await (const rows of attachmentRows.cursor(CURSOR_ROWS)) {
      let chunk = '';
      for (const row of rows) {
        const { key, ...a } = JSON.parse(row.j) as { key: string; id: number };
        const present =
          STORAGE_KEY.test(key) &&
          (await stat(path.join(uploadDir, key)).then(
            (s) => s.isFile(),
            () => false,
          ));
        if (present) files.push({ id: a.id, key });
        chunk += (first ? '\n' : ',\n') + JSON.stringify({ ...a, file: present ? `attachments/${a.id}` : null });
        first = false;
      }
      await write(out, chunk);
    }
    await write(out, first ? ']' : '\n]');
    await writeArray(
      out,
      'members',
      sql`select json_build_object('user', user_id, 'role', role)::text as j
        from user_roles where project_id = ${projectId} order by user_id`,
    );
    await writeArray(
      out,
      'companies',
      sql`select json_build_object('id', c.id, 'name', c.name)::text as j
        from companies c where c.id in (
          select company_id from project_companies where project_id = ${projectId}
          union select company_id from tickets where project_id = ${projectId} and company_id is not null)
        order by c.id`,
    );
    // Everyone the document names, wherever: their username and email let another instance match them.
    await writeArray(
      out,
      'users',
      sql`select json_build_object('id', u.id, 'username', u.username, 'email', u.email, 'name', u.name)::text as j
        from users u where u.id in (
          select user_id from user_roles where project_id = ${projectId}
          union select reporter_id from tickets where project_id = ${projectId}
          union select a.user_id from ticket_assignees a join tickets t on t.id = a.ticket_id
            where t.project_id = ${projectId}
          union select c.author_id from comments c join tickets t on t.id = c.ticket_id
            where t.project_id = ${projectId}
          union select m.author_id from chat_messages m join chat_rooms r on r.id = m.room_id
            where r.project_id = ${projectId}
          union select actor_id from activity where project_id = ${projectId}
          union select a.uploader_id from attachments a join tickets t on t.id = a.ticket_id
            where t.project_id = ${projectId}
          union select r.created_by from ticket_relations r join tickets t on t.id = r.from_ticket_id
            where t.project_id = ${projectId})
        order by u.id`,
    );
    await write(out, '\n}\n');
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    throw error;
  }
  return { json: file, files, name };
}

/**
 * Exports a project its superadmin (or the superuser) may manage: 404 when they cannot see it,
 * 403 when they see it but do not manage it. project.json is written before this returns
 * (so a failure there is still an error answer); the archive streams as it is read.
 */
export async function exportProject(
  db: Db,
  sql: postgres.Sql,
  actor: Actor,
  projectId: number,
  storage: { dir: string },
): Promise<ProjectExport> {
  await requireProjectManager(db, actor, projectId, 'Only project superadmins can export a project');
  const dir = await mkdtemp(path.join(tmpdir(), 'laneway-export-'));
  const uploadDir = path.resolve(storage.dir);
  let packed: Packed;
  try {
    packed = await sql.begin('isolation level repeatable read read only', (tx) =>
      writeProjectJson(tx, projectId, path.join(dir, 'project.json'), uploadDir),
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const pack = tar.pack();
  const output = new PassThrough();
  const entry = async (name: string, file: string, size: number) => {
    const sink = pack.entry({ name, size, mode: 0o644, mtime: new Date() });
    await pipeline(createReadStream(file), sink);
  };
  const fill = async () => {
    const jsonSize = (await stat(packed.json)).size;
    await entry('project.json', packed.json, jsonSize);
    for (const f of packed.files) {
      const file = path.join(uploadDir, f.key);
      // A file removed since the listing: its row says `file`, so an empty entry keeps the archive whole.
      const size = await stat(file).then(
        (s) => s.size,
        () => null,
      );
      if (size === null) pack.entry({ name: `attachments/${f.id}`, size: 0 }, '');
      else await entry(`attachments/${f.id}`, file, size);
    }
    pack.finalize();
  };
  const done = pipeline(pack, createGzip(), output).finally(() => rm(dir, { recursive: true, force: true }));
  fill().catch((error: unknown) => pack.destroy(error as Error));
  done.catch((error: unknown) => output.destroy(error as Error));
  const stamp = new Date().toISOString().slice(0, 10);
  return { filename: `${packed.name}-${stamp}.laneway.tar.gz`, stream: output };
}
