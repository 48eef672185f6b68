/**
 * Attachments: files uploaded to a ticket, stored in UPLOAD_DIR under a random name.
 *
 * An upload is streamed straight to disk (`<uuid>.part`, renamed to `<uuid>` once complete)
 * while it is hashed; nothing holds the whole file in memory. Its type is sniffed from its
 * first bytes and the client's Content-Type is never trusted. Past MAX_UPLOAD_MB the partial
 * file is removed and the upload refused (413). The row and its change are written in one
 * transaction once the file is complete; if that fails the file is removed again.
 */
import { transact } from './publish.ts';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, Executor } from '@laneway/db/client';
import { attachments } from '@laneway/db/schema';
import busboy from 'busboy';
import { asc, eq, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Actor } from '../lib/actor.ts';
import { AppError, badRequest, notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { authorize, canDiscussTicket, canModerate } from '../policy/index.ts';
import { recordChange } from './changes.ts';
import { factsOf, requireTicket } from './tickets.ts';

export type AttachmentRow = typeof attachments.$inferSelect;

/** Where downloads are served (the API prefix is fixed by SPEC §5; app.ts mounts it there). */
const DOWNLOAD_BASE = '/api/tickets/attachments';

export function serializeAttachment(a: AttachmentRow) {
  return {
    id: a.id,
    ticket: a.ticketId,
    uploader: a.uploaderId,
    filename: a.filename,
    content_type: a.contentType,
    size: a.size,
    sha256: a.sha256,
    created_at: a.createdAt.toISOString(),
    download_url: `${DOWNLOAD_BASE}/${a.id}/download/`,
  };
}
export type AttachmentJson = ReturnType<typeof serializeAttachment>;

/** Where uploads are kept and how large one may be. */
export interface UploadStorage {
  dir: string;
  maxBytes: number;
}

/** A request body as the upload sees it: no HTTP framework types in here. */
export interface IncomingUpload {
  contentType: string | undefined;
  /** The declared Content-Length, when there is one. */
  contentLength: number | undefined;
  body: Readable | null;
}

interface StoredFile {
  storageKey: string;
  filePath: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

const MULTIPART = /^multipart\/form-data\s*(;|$)/i;
/** What file-type needs to recognise every format it knows. */
const SNIFF_BYTES = 4100;
/** Room around the file for part headers and the few small fields a form may add. */
const MULTIPART_SLACK = 256 * 1024;
const MAX_FILENAME = 255;
const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, {
    file: [`At most ${maxBytes} bytes`],
  });
const missingFile = () => badRequest('No file uploaded', { file: ['Send the file in a `file` form field'] });

/** The file of a storage key; keys are ours (UUIDs), checked so no path can ever escape the dir. */
function storagePath(dir: string, key: string): string {
  if (!STORAGE_KEY.test(key)) throw new AppError('internal', 'Bad storage key');
  return path.join(path.resolve(dir), key);
}

/** Control characters, and bidi controls that make `gpj.exe` read as `exe.jpg`. */
function isUnsafeChar(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * The client's file name, fit for display and a Content-Disposition header: the last path
 * part only, without control or bidi characters, at most 255 characters (keeping a short
 * extension), `file` when nothing is left.
 */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const chars = [...base.normalize('NFC')].filter((ch) => !isUnsafeChar(ch.codePointAt(0)!));
  let name = chars.join('').replace(/\s+/g, ' ').trim();
  if (name === '' || name === '.' || name === '..') return 'file';
  const points = [...name];
  if (points.length > MAX_FILENAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = points.slice(0, MAX_FILENAME - [...ext].length).join('') + ext;
  }
  return name;
}

/** True when the bytes read as UTF-8 text: no NUL, no invalid sequence (a cut-off tail is fine). */
function looksLikeText(head: Buffer, whole: boolean): boolean {
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}

/** The type of a file from its first bytes: a known signature, else text or opaque bytes. */
async function sniffType(head: Buffer, whole: boolean): Promise<string> {
  const found = await fileTypeFromBuffer(head);
  if (found) return found.mime;
  return looksLikeText(head, whole) ? 'text/plain' : 'application/octet-stream';
}

interface Written {
  size: number;
  sha256: string;
  head: Buffer;
}

/** Streams one file part to `partPath`, hashing it and keeping its first bytes for sniffing. */
async function writePart(file: Readable, partPath: string): Promise<Written> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (headLength < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headLength);
        head.push(part);
        headLength += part.length;
      }
      done(null, chunk);
    },
  });
  const out = createWriteStream(partPath, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(file, tap, out);
  } finally {
    // On failure, wait for the descriptor to close so a following rm really removes the file.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
  }
  return { size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
}

/**
 * What a failed write answers: a full disk (or quota) is the server's own lack of room, a
 * clear 507 the client may retry later (issue 14, faults); anything else a 500.
 */
function storageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('insufficient_storage', 'The server has no room left to store this file; try again later');
  }
  return new AppError('internal', 'Could not store the file');
}

/**
 * Reads a multipart/form-data body and stores its one `file` part under a new storage key.
 * Refuses (and leaves nothing on disk): not multipart 415, no or empty `file` 400, more than
 * one file 400, a file over `maxBytes` 413 (as soon as the limit is crossed; the rest of the
 * body is drained so the client still reads the answer).
 */
async function receiveUpload(upload: IncomingUpload, storage: UploadStorage): Promise<StoredFile> {
  const { contentType, body: source } = upload;
  if (!contentType || !MULTIPART.test(contentType)) {
    throw new AppError('unsupported_media_type', 'Upload the file as multipart/form-data in a `file` field');
  }
  // A declared length far past the limit is refused before a byte is read.
  if (upload.contentLength !== undefined && upload.contentLength > storage.maxBytes + MULTIPART_SLACK) {
    throw tooLarge(storage.maxBytes);
  }
  if (!source) throw missingFile();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // busboy reports 'limit' on reaching fileSize, so one byte more lets exactly maxBytes in.
      limits: { files: 1, fileSize: storage.maxBytes + 1, fields: 20, fieldSize: 8 * 1024, parts: 40 },
    });
  } catch {
    throw badRequest('Malformed multipart/form-data', { file: ['The form has no boundary'] });
  }
  const dir = path.resolve(storage.dir);
  await mkdir(dir, { recursive: true });

  return new Promise<StoredFile>((resolve, reject) => {
    let settled = false;
    let current: { file: Readable; key: string; partPath: string; filename: string; done: Promise<Written> } | null =
      null;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.on('error', () => {});
      source.resume();
      const part = current;
      part?.file.destroy();
      void (async () => {
        try {
          if (part) {
            await part.done.catch(() => {});
            await rm(part.partPath, { force: true });
          }
        } finally {
          reject(error);
        }
      })();
    };

    const finish = async () => {
      if (settled) return;
      const part = current;
      if (!part) return fail(missingFile());
      let written: Written;
      try {
        written = await part.done;
      } catch {
        return; // `done`'s own handler has failed the upload
      }
      if (settled) return;
      if (written.size === 0) return fail(badRequest('The file is empty', { file: ['Empty file'] }));
      settled = true;
      try {
        const filePath = path.join(dir, part.key);
        await rename(part.partPath, filePath);
        resolve({
          storageKey: part.key,
          filePath,
          filename: part.filename,
          contentType: await sniffType(written.head, written.size <= SNIFF_BYTES),
          size: written.size,
          sha256: written.sha256,
        });
      } catch (error) {
        await rm(part.partPath, { force: true }).catch(() => {});
        await rm(path.join(dir, part.key), { force: true }).catch(() => {});
        reject(error);
      }
    };

    parser.on('file', (name, file, info) => {
      if (settled || name !== 'file' || current) {
        file.resume();
        return;
      }
      const key = randomUUID();
      const partPath = path.join(dir, `${key}.part`);
      file.on('limit', () => fail(tooLarge(storage.maxBytes)));
      const done = writePart(file, partPath);
      current = { file, key, partPath, filename: cleanFilename(info.filename), done };
      done.catch((error: unknown) => fail(storageError(error)));
    });
    parser.on('filesLimit', () => fail(badRequest('Only one file per request', { file: ['Send one file'] })));
    parser.on('error', () => fail(badRequest('Malformed multipart/form-data body')));
    parser.on('close', () => void finish());
    source.on('error', () => fail(badRequest('The upload was interrupted')));
    source.pipe(parser);
  });
}

/** An attachment that arrived whole in memory (a part of a mail), before it is stored. */
export interface IncomingFile {
  filename: string | undefined;
  content: Buffer;
}

/**
 * Stores files that arrived in memory (mail attachments) the way an upload is stored: the
 * same size limit (a larger or empty one is skipped and named in `skipped`), the same sniffing
 * (the sender's Content-Type is never trusted), the same file names. Then it inserts their rows
 * and `attachment.created` changes in the caller's transaction; the caller removes `paths` if
 * that transaction fails.
 */
export async function storeIncomingFiles(
  tx: Executor,
  ticket: { id: number; project: number },
  uploaderId: number | null,
  files: IncomingFile[],
  storage: UploadStorage,
  paths: string[],
): Promise<{ stored: AttachmentJson[]; skipped: string[] }> {
  const dir = path.resolve(storage.dir);
  await mkdir(dir, { recursive: true });
  const stored: AttachmentJson[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const filename = cleanFilename(file.filename);
    if (file.content.length === 0 || file.content.length > storage.maxBytes) {
      skipped.push(filename);
      continue;
    }
    const key = randomUUID();
    const filePath = path.join(dir, key);
    paths.push(filePath);
    await writeFile(filePath, file.content, { flag: 'wx' });
    const [row] = await tx
      .insert(attachments)
      .values({
        ticketId: ticket.id,
        uploaderId,
        filename,
        contentType: await sniffType(file.content.subarray(0, SNIFF_BYTES), file.content.length <= SNIFF_BYTES),
        size: file.content.length,
        sha256: createHash('sha256').update(file.content).digest('hex'),
        storageKey: key,
      })
      .returning();
    const json = serializeAttachment(row!);
    await recordChange(tx, {
      projectId: ticket.project,
      ticketId: ticket.id,
      actorId: uploaderId,
      verb: 'attachment.created',
      data: { attachment: json.id, filename: json.filename, content_type: json.content_type, size: json.size },
      payload: json,
    });
    stored.push(json);
  }
  return { stored, skipped };
}

async function getAttachment(db: Executor, id: number): Promise<AttachmentRow> {
  const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
  if (!row) throw notFound();
  return row;
}

/** A ticket's attachments in upload order, for anyone who can see the ticket. */
export async function listAttachments(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  const { ticket } = await requireTicket(db, actor, ticketId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: attachments, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(attachments)
    .where(eq(attachments.ticketId, ticket.id))
    .orderBy(asc(attachments.createdAt), asc(attachments.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeAttachment(r.row)) };
}

/**
 * Stores an uploaded file on a ticket. Permission is checked before a byte of the body is
 * read, so nobody who may not upload here can fill the disk.
 */
export async function createAttachment(
  db: Db,
  actor: Actor,
  ticketId: number,
  upload: IncomingUpload,
  storage: UploadStorage,
): Promise<AttachmentJson> {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  authorize(true, canDiscussTicket(access, factsOf(ticket)));
  const file = await receiveUpload(upload, storage);
  try {
    return await transact(db, async (tx) => {
      const [row] = await tx
        .insert(attachments)
        .values({
          ticketId: ticket.id,
          uploaderId: actor.id,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          storageKey: file.storageKey,
        })
        .returning();
      const json = serializeAttachment(row!);
      await recordChange(tx, {
        projectId: ticket.projectId,
        ticketId: ticket.id,
        actorId: actor.id,
        verb: 'attachment.created',
        data: { attachment: json.id, filename: json.filename, content_type: json.content_type, size: json.size },
        payload: json,
      });
      return json;
    });
  } catch (error) {
    await rm(file.filePath, { force: true });
    throw error;
  }
}

/**
 * Opens an attachment's file for download, for anyone who can see its ticket. The caller
 * must consume or destroy `stream`.
 */
export async function openAttachment(db: Executor, actor: Actor, id: number, storage: Pick<UploadStorage, 'dir'>) {
  const row = await getAttachment(db, id);
  await requireTicket(db, actor, row.ticketId);
  const handle = await open(storagePath(storage.dir, row.storageKey)).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') throw notFound('The file is no longer stored');
    throw error;
  });
  try {
    const { size } = await handle.stat();
    return { attachment: serializeAttachment(row), size, stream: handle.createReadStream() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Deletes an attachment (its uploader, or a project superadmin/admin), then its file. */
export async function deleteAttachment(
  db: Db,
  actor: Actor,
  id: number,
  storage: Pick<UploadStorage, 'dir'>,
): Promise<void> {
  const row = await getAttachment(db, id);
  const { ticket, access } = await requireTicket(db, actor, row.ticketId);
  authorize(true, canModerate(access, row.uploaderId), 'Only the uploader or an admin may delete an attachment');
  await transact(db, async (tx) => {
    const [gone] = await tx.delete(attachments).where(eq(attachments.id, id)).returning();
    if (!gone) throw notFound();
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'attachment.deleted',
      data: { attachment: id, filename: gone.filename },
      payload: serializeAttachment(gone),
    });
  });
  // Removed only after the commit, so a rolled-back delete never loses its file. A failure
  // here leaves an orphan file nothing points to, not a broken attachment: the delete stands.
  await rm(storagePath(storage.dir, row.storageKey), { force: true }).catch(() => {});
}
