/**
 * Backups that restore (`entrypoint.sh backup|restore`, docs/backup.md, decision 0046).
 *
 * One tar archive (GNU format, uncompressed) holds, in this order:
 *
 *   manifest.json    what the archive is: Laneway's version, the last applied migration, counts
 *   database.dump    `pg_dump --format=custom` of the whole database (compressed by pg_dump)
 *   uploads/…        the files of UPLOAD_DIR
 *
 * Consistency: the dump is one snapshot; the uploads are copied after it. An upload's file is
 * complete (renamed from `<key>.part`) before its row commits, and a deleted attachment's file
 * is removed only after its row's delete commits (server/src/services/attachments.ts), so every
 * row in the snapshot had its file on disk when the snapshot was taken. Copying afterwards can
 * add files the snapshot does not know (uploads that arrived meanwhile: harmless orphans) and
 * miss only files deleted in between; the storage keys are read back from the dump itself, and
 * any referenced file not copied is named in the manifest's `uploads.missing` and on stderr.
 *
 * pg_dump, pg_restore and tar are found on PATH. pg_dump must be of the server's major
 * version or newer (the image installs the one of compose.yaml's PostgreSQL).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { migrateDatabase, migrationsFolder } from './migrate.ts';

export const MANIFEST = 'manifest.json';
export const DUMP = 'database.dump';
export const UPLOADS = 'uploads';
const FORMAT = 'laneway-backup';
/** Bumped when the archive's layout changes in a way an older restore could not read. */
export const FORMAT_VERSION = 1;
/** Where restore unpacks before it moves files into place: on the uploads volume, so a rename. */
const STAGING_PREFIX = '.laneway-restore-';
/** How many missing or refused names a message lists before it says "and N more". */
const LIST_AT_MOST = 5;

/** A drizzle migration as recorded in `drizzle.__drizzle_migrations`, with its journal tag. */
export interface MigrationRef {
  /** The journal's tag (`0016_time_and_sla`), or null when this build's journal lacks it. */
  tag: string | null;
  /** The journal's `when`: drizzle's identity of a migration (`created_at` in the table). */
  when: number;
  hash: string;
}

export interface Manifest {
  format: typeof FORMAT;
  format_version: number;
  created_at: string;
  laneway_version: string;
  schema: { migrations: number; last_migration: MigrationRef | null };
  database: { file: typeof DUMP; bytes: number; server_version: string; pg_dump: string };
  uploads: { dir: typeof UPLOADS; files: number; bytes: number; referenced: number; missing: string[] };
}

/** A refusal or failure with a message meant for the person running the command. */
export class BackupError extends Error {
  override name = 'BackupError';
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export async function readJournal(): Promise<JournalEntry[]> {
  const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return [...journal.entries].sort((a, b) => a.when - b.when);
}

/** Laneway's version: the root package.json's (the image copies it to /app). */
export async function lanewayVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

/**
 * The URL for libpq without its password, which goes in PGPASSWORD instead so that it never
 * shows in a process list. postgres.js's `ssl=` parameter is not libpq's: it becomes `sslmode`.
 */
export function libpqConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  parsed.password = '';
  const ssl = parsed.searchParams.get('ssl');
  if (ssl !== null) {
    parsed.searchParams.delete('ssl');
    if (!parsed.searchParams.has('sslmode') && ssl !== 'false') {
      parsed.searchParams.set('sslmode', ssl === 'true' || ssl === '' ? 'require' : ssl);
    }
  }
  return { dbname: parsed.toString(), env };
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The hint for a tool that is not there. */
function missingTool(command: string): BackupError {
  const hint =
    command === 'tar'
      ? 'install GNU tar'
      : "install PostgreSQL's client tools (Debian: postgresql-client-NN) of the server's major version or newer, " +
        'or put their bin folder first on PATH';
  return new BackupError(`${command} was not found on PATH (${process.env.PATH ?? ''}): ${hint}.`);
}

/**
 * Runs a command to completion; stdout is captured unless `stdout` is given (a file descriptor,
 * or 'inherit'). Never throws for a non-zero exit: the caller reads `code`.
 */
function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'inherit' | 'capture'; stdin?: 'ignore' | 'pipe' } = {},
  feed?: (stdin: NodeJS.WritableStream) => Promise<void>,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: [options.stdin ?? 'ignore', options.stdout === 'inherit' ? 'inherit' : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let fed: Promise<void> = Promise.resolve();
    if (feed && child.stdin) {
      // A child that exits early closes its stdin: the feed's EPIPE is reported through `code`.
      fed = feed(child.stdin).catch(() => {});
    }
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? missingTool(command) : error),
    );
    child.once('close', (code, signal) => {
      void fed.then(() => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
  });
}

/** The first lines of a tool's complaint, for a message. */
function firstLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(0, count).join('\n');
}

/**
 * The values of some columns of one table, read back from a custom-format dump (pg_restore
 * writes the table's COPY block; rows are tab-separated, `\N` is NULL, backslash escapes).
 */
async function dumpedColumns(dump: string, schema: string, table: string, wanted: string[]): Promise<string[][]> {
  const child = spawn('pg_restore', ['--data-only', `--schema=${schema}`, `--table=${table}`, '--file=-', dump], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? missingTool('pg_restore') : error),
    );
    child.once('close', (code) => resolve(code ?? 1));
  });
  const rows: string[][] = [];
  let indexes: number[] | null = null;
  try {
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (indexes === null) {
        const copy = /^COPY \S+ \((.*)\) FROM stdin;$/.exec(line);
        if (!copy) continue;
        const names = copy[1]!.split(', ').map((n) => n.replace(/^"|"$/g, ''));
        indexes = wanted.map((w) => names.indexOf(w));
        if (indexes.includes(-1)) throw new BackupError(`${schema}.${table} in the dump lacks ${wanted.join(' or ')}`);
        continue;
      }
      if (line === '\\.') {
        indexes = null;
        continue;
      }
      const fields = line.split('\t');
      rows.push(indexes.map((i) => unescapeCopy(fields[i]!)));
    }
  } catch (error) {
    child.kill();
    throw error;
  }
  const code = await exited;
  if (code !== 0) throw new BackupError(`pg_restore could not read ${table} from the dump:\n${firstLines(stderr)}`);
  return rows;
}

/** One field of COPY's text format. */
function unescapeCopy(field: string): string {
  if (field === '\\N') return '';
  return field.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' })[c] ?? c);
}

/** The migrations recorded in a dump, oldest first. */
async function dumpedMigrations(dump: string): Promise<{ when: number; hash: string }[]> {
  const rows = await dumpedColumns(dump, 'drizzle', '__drizzle_migrations', ['created_at', 'hash']);
  return rows.map(([when, hash]) => ({ when: Number(when), hash: hash! })).sort((a, b) => a.when - b.when);
}

/** Regular files under `dir` (relative paths), leaving out dot-names and unfinished `*.part` uploads. */
async function listFiles(dir: string): Promise<{ files: string[]; bytes: number } | null> {
  const files: string[] = [];
  let bytes = 0;
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name.endsWith('.part')) continue;
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(name);
      else if (entry.isFile()) {
        files.push(name);
        bytes += (await stat(path.join(dir, name)).catch(() => ({ size: 0 }))).size;
      }
    }
  };
  try {
    await stat(dir);
  } catch {
    return null;
  }
  await walk('');
  return { files: files.sort(), bytes };
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const listSome = (names: string[]) =>
  names.slice(0, LIST_AT_MOST).join(', ') +
  (names.length > LIST_AT_MOST ? ` and ${names.length - LIST_AT_MOST} more` : '');

export interface BackupOptions {
  url: string;
  uploadDir: string;
  /** The archive's path, or '-' for stdout. */
  output: string;
  log: (line: string) => void;
}

/**
 * Writes the archive: the dump first (one snapshot), then the upload files (see the header for
 * why this order). A file output is written as `<output>.partial` and renamed when complete.
 */
export async function createBackup(options: BackupOptions): Promise<Manifest> {
  const started = performance.now();
  const uploadDir = path.resolve(options.uploadDir);
  const work = await mkdtemp(path.join(tmpdir(), 'laneway-backup-'));
  const toStdout = options.output === '-';
  const partial = toStdout ? '' : `${path.resolve(options.output)}.partial`;
  try {
    const { dbname, env } = libpqConnection(options.url);
    const version = await run('pg_dump', ['--version']);
    const sql = postgres(options.url, { max: 1, onnotice: () => {} });
    let serverVersion: string;
    try {
      const [row] = await sql<{ server_version: string }[]>`show server_version`;
      serverVersion = row!.server_version;
    } finally {
      await sql.end({ timeout: 5 });
    }

    // 1. The database, one snapshot.
    const dumpPath = path.join(work, DUMP);
    const dumped = await run('pg_dump', ['--format=custom', `--file=${dumpPath}`, `--dbname=${dbname}`], { env });
    if (dumped.code !== 0) {
      const mismatch = /server version mismatch/.test(dumped.stderr)
        ? `\npg_dump must be of the server's major version (${serverVersion}) or newer; this one is ${version.stdout.trim()}.`
        : '';
      throw new BackupError(`pg_dump failed:\n${firstLines(dumped.stderr)}${mismatch}`);
    }
    const journal = await readJournal();
    const migrations = await dumpedMigrations(dumpPath);
    const last = migrations.at(-1) ?? null;
    const keys = (await dumpedColumns(dumpPath, 'public', 'attachments', ['storage_key'])).map(([key]) => key!);

    // 2. The uploads, after the dump.
    const listed = await listFiles(uploadDir);
    if (!listed && keys.length > 0) {
      throw new BackupError(
        `UPLOAD_DIR (${uploadDir}) does not exist, but the database has ${keys.length} attachment(s): run the ` +
          'backup where the uploads are (in Compose, the app service, which mounts the uploads volume).',
      );
    }
    const files = listed?.files ?? [];
    const present = new Set(files);
    const missing = keys.filter((key) => !present.has(key));

    const manifest: Manifest = {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      created_at: new Date().toISOString(),
      laneway_version: await lanewayVersion(),
      schema: {
        migrations: migrations.length,
        last_migration: last && {
          tag: journal.find((e) => e.when === last.when)?.tag ?? null,
          when: last.when,
          hash: last.hash,
        },
      },
      database: {
        file: DUMP,
        bytes: (await stat(dumpPath)).size,
        server_version: serverVersion,
        pg_dump: version.stdout.trim(),
      },
      uploads: { dir: UPLOADS, files: files.length, bytes: listed?.bytes ?? 0, referenced: keys.length, missing },
    };
    await writeFile(path.join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

    // The archive's members, NUL-separated: uploads/<name> reaches the file through a symlink
    // in the work folder (only a path's last part is stored as a link, never the ones before).
    await symlink(uploadDir, path.join(work, UPLOADS));
    const members = [MANIFEST, DUMP, ...files.map((f) => `${UPLOADS}/${f}`)];
    const list = path.join(work, 'members');
    await writeFile(list, members.map((m) => `${m}\0`).join(''));
    if (!toStdout) await mkdir(path.dirname(partial), { recursive: true });
    const tar = await run(
      'tar',
      [
        '--create',
        '--format=gnu',
        `--file=${toStdout ? '-' : partial}`,
        `--directory=${work}`,
        // A file deleted between the listing and tar reading it is a warning, not a failure.
        '--ignore-failed-read',
        '--null',
        '--verbatim-files-from',
        `--files-from=${list}`,
      ],
      { stdout: toStdout ? 'inherit' : 'capture' },
    );
    if (tar.code !== 0) throw new BackupError(`tar failed:\n${firstLines(tar.stderr)}`);
    if (tar.stderr.trim()) options.log(`warning: ${firstLines(tar.stderr)}`);
    if (!toStdout) await rename(partial, path.resolve(options.output));

    if (missing.length > 0) {
      options.log(
        `warning: ${missing.length} attachment file(s) the database refers to were not in UPLOAD_DIR ` +
          `(deleted since the dump, or lost before): ${listSome(missing)}`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    options.log(
      `Backed up ${toStdout ? 'to stdout' : path.resolve(options.output)} in ${seconds} s: the database at ` +
        `${manifest.schema.last_migration?.tag ?? 'no migration'} (${megabytes(manifest.database.bytes)} dump), ` +
        `${files.length} upload file(s) (${megabytes(manifest.uploads.bytes)}).`,
    );
    return manifest;
  } catch (error) {
    if (partial) await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** What is in a database that restore would overwrite. */
async function databaseContents(
  url: string,
): Promise<{ relations: number; accounts: number | null; otherSessions: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ relations: number; users: boolean; others: number }[]>`
      select
        (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
            and n.nspname not in ('pg_catalog', 'information_schema')
            and n.nspname !~ '^pg_(toast|temp)') as relations,
        to_regclass('public.users') is not null as users,
        (select count(*)::int from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()) as others`;
    const accounts = row!.users
      ? (await sql<{ n: number }[]>`select count(*)::int as n from public.users`)[0]!.n
      : null;
    return { relations: row!.relations, accounts, otherSessions: row!.others };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The schemas Laneway's migrations create (plus graphile-worker's), dropped by `--force`. */
async function dropLanewaySchemas(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`drop schema if exists graphile_worker cascade`);
      await tx.unsafe(`drop schema if exists drizzle cascade`);
      await tx.unsafe(`drop schema if exists public cascade`);
      await tx.unsafe(`create schema public`);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Reads the archive's first member (the manifest) and returns it with the bytes read so far. */
async function readManifest(chunks: AsyncIterator<Buffer>): Promise<{ manifest: Manifest; head: Buffer }> {
  const notOurs = (why: string) => new BackupError(`This is not a Laneway backup (${why}).`);
  let head = Buffer.alloc(0);
  const fill = async (bytes: number) => {
    while (head.length < bytes) {
      const next = await chunks.next();
      if (next.done) throw notOurs('it ends too early');
      head = Buffer.concat([head, next.value]);
    }
  };
  await fill(512);
  const name = head.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
  if (head.subarray(257, 262).toString('latin1') !== 'ustar') throw notOurs('no tar archive');
  if (name !== MANIFEST) throw notOurs(`its first member is ${JSON.stringify(name)}, not ${MANIFEST}`);
  const size = parseInt(head.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isInteger(size) || size <= 0 || size > 1024 * 1024) throw notOurs('its manifest has a bad size');
  await fill(512 + size);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(head.subarray(512, 512 + size).toString('utf8')) as Manifest;
  } catch {
    throw notOurs('its manifest is not JSON');
  }
  if (manifest.format !== FORMAT) throw notOurs(`its manifest's format is ${JSON.stringify(manifest.format)}`);
  return { manifest, head };
}

/**
 * Whether this build can restore the backup: its format, and its last migration known to this
 * build's journal. Returns the migrations this build will apply after the restore.
 */
export async function checkCompatible(manifest: Manifest): Promise<{ pending: number }> {
  const ours = await lanewayVersion();
  if (manifest.format_version > FORMAT_VERSION) {
    throw new BackupError(
      `This backup was written by Laneway ${manifest.laneway_version} in archive format ` +
        `${manifest.format_version}; this image (Laneway ${ours}) reads format ${FORMAT_VERSION} only. ` +
        `Restore it with Laneway ${manifest.laneway_version} or newer. Nothing was changed.`,
    );
  }
  const journal = await readJournal();
  const last = manifest.schema.last_migration;
  if (!last) return { pending: journal.length };
  const latest = journal.at(-1);
  const index = journal.findIndex((e) => e.when === last.when);
  if (index === -1) {
    const newer = !latest || last.when > latest.when;
    throw new BackupError(
      `This backup's database is at migration ${last.tag ?? last.when} (Laneway ${manifest.laneway_version}), ` +
        (newer
          ? `newer than this image knows: its last migration is ${latest?.tag ?? 'none'} (Laneway ${ours}). `
          : `which this image (Laneway ${ours}) does not have: the backup comes from another build. `) +
        `Restore it with an image of Laneway ${manifest.laneway_version} or newer: upgrade this deployment ` +
        `first (deploy that version or a later one), then run restore again. Nothing was changed.`,
    );
  }
  return { pending: journal.length - 1 - index };
}

export interface RestoreOptions {
  url: string;
  uploadDir: string;
  /** The archive's path, or '-' for stdin. */
  input: string;
  /** Replace a database that is not empty (drops Laneway's schemas first). */
  force: boolean;
  log: (line: string) => void;
}

/**
 * Restores an archive: refuses a database that is not empty (unless `force`) and a backup this
 * build cannot read, before it changes anything; then unpacks the archive next to the uploads,
 * restores the dump in one transaction, moves the files into UPLOAD_DIR (files already there
 * stay), and applies this build's newer migrations.
 */
export async function restoreBackup(options: RestoreOptions): Promise<{ manifest: Manifest; pending: number }> {
  const started = performance.now();
  const uploadDir = path.resolve(options.uploadDir);

  const contents = await databaseContents(options.url);
  if (contents.relations > 0 && !options.force) {
    const accounts = contents.accounts === null ? '' : `, ${contents.accounts} account(s)`;
    throw new BackupError(
      `The database is not empty (${contents.relations} tables, views and sequences${accounts}). Restore into an ` +
        'empty database; or, to replace everything in this one with the backup, stop the app and the worker ' +
        'and run restore again with --force. Nothing was changed.',
    );
  }
  if (contents.relations > 0 && contents.otherSessions > 0) {
    throw new BackupError(
      `${contents.otherSessions} other connection(s) to the database are open: stop the app and the worker ` +
        '(docker compose stop app worker) before restore --force replaces the database. Nothing was changed.',
    );
  }

  const source: Readable = options.input === '-' ? process.stdin : createReadStream(options.input);
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let staging = '';
  try {
    const { manifest, head } = await readManifest(chunks).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new BackupError(`${options.input}: no such file.`);
      throw error;
    });
    const { pending } = await checkCompatible(manifest);

    // Unpack on the uploads volume, so the files are renamed into place rather than copied.
    await mkdir(uploadDir, { recursive: true });
    staging = await mkdtemp(path.join(uploadDir, STAGING_PREFIX));
    const unpacked = await run(
      'tar',
      ['--extract', '--file=-', `--directory=${staging}`, '--no-same-owner'],
      { stdin: 'pipe' },
      (stdin) =>
        pipeline(async function* () {
          yield head;
          for (;;) {
            const next = await chunks.next();
            if (next.done) return;
            yield next.value;
          }
        }, stdin),
    );
    if (unpacked.code !== 0)
      throw new BackupError(`The archive could not be unpacked:\n${firstLines(unpacked.stderr)}`);
    const dump = path.join(staging, DUMP);
    const dumpSize = (await stat(dump).catch(() => null))?.size;
    if (dumpSize !== manifest.database.bytes) {
      throw new BackupError(
        `The archive's ${DUMP} is ${dumpSize ?? 'missing'} bytes, its manifest says ${manifest.database.bytes}: ` +
          'the file is damaged. Nothing was changed.',
      );
    }
    const listed = await run('pg_restore', ['--list', dump]);
    if (listed.code !== 0) {
      throw new BackupError(
        `pg_restore cannot read the dump (made by ${manifest.database.pg_dump}):\n${firstLines(listed.stderr)}\n` +
          "pg_restore must be of the same major version as the backup's pg_dump or newer. Nothing was changed.",
      );
    }

    // The database: one transaction, so a failure leaves it as it was (empty, with --force).
    if (contents.relations > 0) await dropLanewaySchemas(options.url);
    const { dbname, env } = libpqConnection(options.url);
    const restored = await run(
      'pg_restore',
      ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${dbname}`, dump],
      { env },
    );
    if (restored.code !== 0) {
      throw new BackupError(
        `pg_restore failed; the database is ${contents.relations > 0 ? 'now empty' : 'still empty'}:\n` +
          firstLines(restored.stderr),
      );
    }

    // The files, then the staging folder away.
    const files = (await listFiles(path.join(staging, UPLOADS)))?.files ?? [];
    let replaced = 0;
    for (const file of files) {
      const target = path.join(uploadDir, file);
      if (await lstat(target).catch(() => null)) replaced++;
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, UPLOADS, file), target);
    }

    // Jobs a worker held at backup time are released by the new worker, as those of any worker
    // whose heartbeat went stale (workers/src/worker.ts): the heartbeats are in the dump too.
    await migrateDatabase(options.url);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    options.log(
      `Restored ${options.input === '-' ? 'the backup from stdin' : options.input} in ${seconds} s: ` +
        `Laneway ${manifest.laneway_version}'s backup of ${manifest.created_at}, the database at ` +
        `${manifest.schema.last_migration?.tag ?? 'no migration'}` +
        (pending > 0 ? ` (then ${pending} newer migration(s) applied)` : '') +
        `, ${files.length} upload file(s) into ${uploadDir}` +
        (replaced > 0 ? ` (${replaced} of them replaced a file of the same name)` : '') +
        '.',
    );
    return { manifest, pending };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
    if (source !== process.stdin) source.destroy();
  }
}
