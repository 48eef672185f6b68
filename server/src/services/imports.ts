/**
 * Project imports (SPEC §15, decision 0045). The upload is stored and read through once before
 * anything is queued, so a bad file is refused at once with its JSON path or CSV line; the
 * `import_project` job then creates the whole project in one transaction (progress is written
 * beside it, outside), and links the import row to the project in that same transaction, so a
 * job run again after a crash finds its project and creates nothing twice.
 *
 * The superuser may instead import into an existing project (decision 0054): the import row
 * names the project from the start, and `status = done` is written in the transaction that adds
 * the tickets, so a job run again finds the work done.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '@laneway/db/client';
import { imports } from '@laneway/db/schema';
import { TASKS } from '@laneway/db/tasks';
import busboy from 'busboy';
import { and, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../lib/actor.ts';
import { AppError, badRequest, notFound } from '../lib/errors.ts';
import { authorize, canCreateProject, canImportInto } from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';
import type { ExportDoc } from './export-format.ts';
import {
  csvToDoc,
  CsvMapping,
  guessMapping,
  IMPORT_SOURCES,
  readCsv,
  readLanewayArchive,
  readText,
  readTrello,
  trelloSummary,
  trelloToDoc,
  type ImportSource,
} from './import-sources.ts';
import { writeIntoProject, writeProject } from './import-writer.ts';
import { enqueue } from './jobs.ts';
import { requireProjectAccess } from './projects.ts';
import { transact } from './publish.ts';

/** An import's upload may be this many times MAX_UPLOAD_MB: an export carries every attachment. */
export const IMPORT_SIZE_FACTOR = 20;

const Category = z.enum(['todo', 'in_progress', 'done']);
/** The form's `mapping`: the CSV's header per field, or the Trello lists' categories; and the new project's name and key. */
export const ImportMapping = CsvMapping.extend({
  columns: z.record(z.string(), Category).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  key: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,9}$/)
    .optional(),
});
export type ImportMapping = z.infer<typeof ImportMapping>;

export interface ImportUpload {
  contentType: string | undefined;
  body: Readable | null;
}

interface Received {
  source: ImportSource;
  mapping: ImportMapping;
  file: string;
  filename: string;
}

const importDir = (uploadDir: string) => path.join(path.resolve(uploadDir), 'imports');

/** Reads the multipart form (`source` or `kind`, `file`, `mapping`?) and stores the file under `dir`. */
async function receive(upload: ImportUpload, dir: string, maxBytes: number): Promise<Received> {
  if (!upload.contentType || !/^multipart\/form-data\s*(;|$)/i.test(upload.contentType)) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data in a `file` field');
  }
  const source = upload.body;
  if (!source) throw badRequest('No file uploaded', { file: ['Send the file in a `file` form field'] });
  await mkdir(dir, { recursive: true });
  const fields: Record<string, string> = {};
  const file = path.join(dir, randomUUID());
  let filename = 'import';
  const state: { wrote: Promise<void> | null } = { wrote: null };
  let tooLarge = false;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': upload.contentType },
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 64 * 1024 },
    });
  } catch {
    throw badRequest('Malformed multipart/form-data', { file: ['The form has no boundary'] });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (name, stream, info) => {
        if (name !== 'file' || state.wrote) {
          stream.resume();
          return;
        }
        filename = info.filename || filename;
        stream.on('limit', () => (tooLarge = true));
        state.wrote = pipeline(stream, createWriteStream(file));
        state.wrote.catch(reject);
      });
      parser.on('error', () => reject(badRequest('Malformed multipart/form-data body')));
      parser.on('close', () => resolve());
      source.on('error', () => reject(badRequest('The upload was interrupted')));
      source.pipe(parser);
    });
    if (!state.wrote) throw badRequest('No file uploaded', { file: ['Send the file in a `file` form field'] });
    await state.wrote;
    if (tooLarge) {
      throw new AppError('payload_too_large', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, {
        file: [`At most ${maxBytes} bytes`],
      });
    }
    const kind = z.enum(IMPORT_SOURCES).safeParse(fields.source ?? fields.kind);
    if (!kind.success) throw badRequest('Say what the file is', { source: ['One of trello, csv, laneway'] });
    let mapping: ImportMapping = {};
    if (fields.mapping) {
      let raw: unknown;
      try {
        raw = JSON.parse(fields.mapping);
      } catch {
        throw badRequest('The mapping is not JSON', { mapping: ['A JSON object'] });
      }
      const parsed = ImportMapping.safeParse(raw);
      if (!parsed.success) throw badRequest('Invalid mapping', { mapping: parsed.error.issues.map((i) => i.message) });
      mapping = parsed.data;
    }
    return { source: kind.data, mapping, file, filename: filename.slice(0, 255) };
  } catch (error) {
    source.unpipe(parser);
    source.resume();
    await rm(file, { force: true });
    throw error;
  }
}

const baseName = (filename: string) =>
  filename
    .replace(/\.[^.]*$/, '')
    .replace(/[_-]+/g, ' ')
    .trim() || 'Imported project';

/**
 * Reads an uploaded file as its source says, into the document the writer takes. `extracted`
 * (Laneway archives) receives the attachment files, written under `filesDir`.
 */
export async function readImport(
  received: Pick<Received, 'source' | 'mapping' | 'file' | 'filename'>,
  filesDir?: { dir: string; extracted: Map<string, string> },
): Promise<{ doc: ExportDoc; warnings: string[]; columnMapped: boolean }> {
  if (received.source === 'trello') {
    const doc = trelloToDoc(readTrello(await readText(received.file)), received.mapping.columns);
    return { doc, warnings: [], columnMapped: true };
  }
  if (received.source === 'csv') {
    const table = readCsv(await readText(received.file));
    const mapping = received.mapping.title ? received.mapping : { ...guessMapping(table.headers), ...received.mapping };
    const read = csvToDoc(table, mapping, received.mapping.name ?? baseName(received.filename));
    return { ...read, columnMapped: !!mapping.column };
  }
  const doc = await readLanewayArchive(
    received.file,
    filesDir
      ? async (name, stream) => {
          const target = path.join(filesDir.dir, name.replace('/', '-'));
          await pipeline(stream, createWriteStream(target));
          filesDir.extracted.set(name, target);
        }
      : undefined,
  );
  return { doc, warnings: [], columnMapped: true };
}

/** Only those who may create projects import one: staff, the superuser; never company people. */
async function assertMayImport(db: Db, actor: Actor) {
  authorize(true, canCreateProject(await loadActorProfile(db, actor)), 'Company people cannot import projects');
}

/**
 * Stores and checks the upload, then queues its job: 202 with the import's id. With `into`, the
 * file is added to that existing project (the superuser only: 404 for whoever cannot see the
 * project, 403 for the rest, all before the upload is read).
 */
export async function createImport(
  db: Db,
  actor: Actor,
  upload: ImportUpload,
  storage: { dir: string; maxBytes: number },
  into?: number,
): Promise<{ id: number; status: 'queued' }> {
  if (into === undefined) await assertMayImport(db, actor);
  else {
    const access = await requireProjectAccess(db, actor, into);
    authorize(true, canImportInto(access), 'Only the superuser imports into an existing project');
  }
  const received = await receive(upload, importDir(storage.dir), storage.maxBytes * IMPORT_SIZE_FACTOR);
  try {
    await readImport(received);
  } catch (error) {
    await rm(received.file, { force: true });
    throw error;
  }
  const row = await transact(db, async (tx) => {
    const [created] = await tx
      .insert(imports)
      .values({
        source: received.source,
        createdBy: actor.id,
        fileKey: path.basename(received.file),
        filename: received.filename,
        mapping: received.mapping,
        ...(into === undefined ? {} : { projectId: into, intoExisting: true }),
      })
      .returning({ id: imports.id });
    await enqueue(
      tx,
      TASKS.importProject,
      { import: created!.id },
      { maxAttempts: 3, jobKey: `import:${created!.id}` },
    );
    return created!;
  });
  return { id: row.id, status: 'queued' };
}

/** An import as its page polls it; only its creator (and the superuser) see it. */
export async function getImport(db: Db, actor: Actor, id: number) {
  const [row] = await db
    .select()
    .from(imports)
    .where(actor.isSuperuser ? eq(imports.id, id) : and(eq(imports.id, id), eq(imports.createdBy, actor.id)));
  if (!row) throw notFound();
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    progress: row.progress,
    project: row.projectId,
    into_existing: row.intoExisting,
    filename: row.filename,
    created: row.report?.created ?? {},
    warnings: row.report?.warnings ?? [],
    error: row.error,
    created_at: row.createdAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}
export type ImportJson = Awaited<ReturnType<typeof getImport>>;

/** What the mapping step shows: a CSV's header, guessed mapping and first rows; a board's lists; an export's counts. */
export async function previewImport(db: Db, actor: Actor, upload: ImportUpload, storage: { maxBytes: number }) {
  await assertMayImport(db, actor);
  const dir = await mkdtemp(path.join(tmpdir(), 'laneway-preview-'));
  try {
    const received = await receive(upload, dir, storage.maxBytes * IMPORT_SIZE_FACTOR);
    if (received.source === 'csv') {
      const table = readCsv(await readText(received.file), 20);
      return {
        source: received.source,
        name: baseName(received.filename),
        csv: {
          delimiter: table.delimiter,
          headers: table.headers,
          rows: table.rows.slice(0, 5).map((r) => r.cells),
          mapping: guessMapping(table.headers),
        },
        trello: null,
        laneway: null,
      };
    }
    if (received.source === 'trello') {
      const board = readTrello(await readText(received.file));
      return { source: received.source, name: board.name, csv: null, trello: trelloSummary(board), laneway: null };
    }
    const doc = await readLanewayArchive(received.file);
    return {
      source: received.source,
      name: doc.project.name,
      csv: null,
      trello: null,
      laneway: { key: doc.project.key, tickets: doc.tickets.length, columns: doc.columns.length },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The job: creates the project of import `id` once, or adds to its project once. A run that
 * finds the import done (or, creating, its project linked) returns; otherwise everything is
 * written in one transaction under the import's advisory lock, and the import row is marked
 * done (and linked) in it. A file that cannot be read, or a write that fails, marks the import
 * failed and leaves nothing: no project, or the project as it was.
 */
export async function runImport(
  db: Db,
  id: number,
  storage: { dir: string },
  hooks: { beforeCommit?: () => Promise<void> } = {},
) {
  const [row] = await db.select().from(imports).where(eq(imports.id, id));
  if (!row || row.status === 'done' || !row.createdBy) return;
  if (!row.intoExisting && row.projectId !== null) return;
  const file = path.join(importDir(storage.dir), row.fileKey);
  // Never over a run that finished meanwhile: its `done` is what a later run checks.
  const notDone = and(eq(imports.id, id), ne(imports.status, 'done'));
  await db.update(imports).set({ status: 'running', startedAt: new Date(), error: null, progress: 0 }).where(notDone);
  const work = await mkdtemp(path.join(tmpdir(), 'laneway-import-'));
  const written: string[] = [];
  try {
    // The project was deleted after the import was queued.
    if (row.intoExisting && row.projectId === null) throw badRequest('The project to import into no longer exists');
    const extracted = new Map<string, string>();
    const mapping = row.mapping as ImportMapping;
    const { doc, warnings, columnMapped } = await readImport(
      { source: row.source, mapping, file, filename: row.filename },
      { dir: work, extracted },
    );
    const [creator] = await db.execute<{ id: number; username: string; is_superuser: boolean }>(
      sql`select id, username, is_superuser from users where id = ${row.createdBy}`,
    );
    if (!creator) throw badRequest('The user who started this import no longer exists');
    if (row.intoExisting && !creator.is_superuser) {
      throw badRequest('Only the superuser imports into an existing project: whoever started this one no longer is');
    }
    const actor: Actor = { id: creator.id, username: creator.username, isSuperuser: creator.is_superuser };
    let lastPercent = 0;
    const options = {
      files: { extracted, uploadDir: storage.dir, written },
      progress: async (fraction: number) => {
        const percent = Math.floor(fraction * 99);
        if (percent <= lastPercent) return;
        lastPercent = percent;
        // On the pool, not `tx`: the page sees progress while the transaction is open.
        await db.update(imports).set({ progress: percent }).where(eq(imports.id, id));
      },
    };
    const done = await transact(db, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('laneway-import'), ${id})`);
      const [again] = await tx.execute<{ project_id: number | null; status: string }>(
        sql`select project_id, status from imports where id = ${id}`,
      );
      if (!again || again.status === 'done' || (!row.intoExisting && again.project_id)) return false;
      const result = row.intoExisting
        ? await writeIntoProject(tx, actor, row.projectId!, doc, { ...options, firstColumn: !columnMapped })
        : await writeProject(tx, actor, doc, { ...options, name: mapping.name, key: mapping.key });
      await tx
        .update(imports)
        .set({
          projectId: result.projectId,
          status: 'done',
          progress: 100,
          finishedAt: new Date(),
          report: { created: result.created, warnings: [...warnings, ...result.warnings] },
        })
        .where(eq(imports.id, id));
      await hooks.beforeCommit?.();
      return true;
    });
    if (done) await rm(file, { force: true });
  } catch (error) {
    await Promise.all(written.map((f) => rm(f, { force: true })));
    // Another run of this import finished it meanwhile (and took its file): nothing failed.
    const [now] = await db.select({ status: imports.status }).from(imports).where(eq(imports.id, id));
    if (now?.status === 'done') return;
    const message = error instanceof Error ? error.message : String(error);
    await db
      .update(imports)
      .set({ status: 'failed', error: message.slice(0, 2000), finishedAt: new Date() })
      .where(notDone);
    // A file that cannot be read will not read better on a retry: it goes; anything else is retried.
    if (!(error instanceof AppError)) throw error;
    await rm(file, { force: true });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
