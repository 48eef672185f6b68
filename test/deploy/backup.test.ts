/**
 * `entrypoint.sh backup` and `entrypoint.sh restore` for real (docs/backup.md, decision 0046):
 * a migrated, seeded database with attachment files is backed up and restored into fresh
 * databases and upload folders on the test PostgreSQL, and compared catalog, row and byte for
 * byte; the refusals (a database that is not empty, a backup from a newer schema, not a
 * backup) change nothing.
 *
 * pg_dump, pg_restore and tar are found on PATH, as in the image; the newest
 * /usr/lib/postgresql/NN/bin goes first on it when there is one (Debian's layout).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, openSync, closeSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { Logger, runMigrations } from 'graphile-worker';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/src/seed.ts';
import { entrypoint, root, scratchDatabases } from './processes.ts';

const exec = promisify(execFile);
const databases = scratchDatabases('backup');

/** Debian keeps each PostgreSQL major's tools in /usr/lib/postgresql/NN/bin; the newest first. */
function toolPath(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => /^\d+$/.test(d) && existsSync(`${base}/${d}/bin/pg_dump`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return [...majors.map((m) => `${base}/${m}/bin`), process.env.PATH].join(':');
}
const PATH = toolPath();

let work: string;
let source: { url: string; dataDir: string; uploads: string };
/** Storage keys of the attachments inserted into the source, and their bytes. */
const files = new Map<string, Buffer>();
let archive: string;
let journal: { when: number; tag: string }[];
let version: string;

/** The environment entrypoint.sh gets for one database and data folder. */
const envFor = (url: string, dataDir: string) => ({ DATABASE_URL: url, DATA_DIR: dataDir, PATH });

async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/**
 * Everything restore must bring back: every row of every table outside the system schemas
 * (as JSON, sorted), each sequence's position, and the catalog (columns, indexes, triggers,
 * functions, extensions, text search configurations).
 */
async function snapshot(url: string): Promise<Record<string, unknown>> {
  return withSql(url, async (sql) => {
    const tables = await sql<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
      order by 1, 2`;
    const rows: Record<string, string[]> = {};
    for (const t of tables) {
      const found = await sql.unsafe<{ row: string }[]>(
        `select to_jsonb(t)::text as row from "${t.schema}"."${t.name}" t`,
      );
      rows[`${t.schema}.${t.name}`] = found.map((r) => r.row).sort();
    }
    const catalog = async (query: string) => (await sql.unsafe<{ x: string }[]>(query)).map((r) => r.x);
    return {
      rows,
      sequences: await catalog(
        `select schemaname || '.' || sequencename || '=' || coalesce(last_value::text, 'null') as x
         from pg_sequences order by 1`,
      ),
      columns: await catalog(
        `select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' ||
                coalesce(column_default, '') || ' ' || coalesce(generation_expression, '') as x
         from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
      ),
      indexes: await catalog(`select indexdef as x from pg_indexes where schemaname !~ '^pg_' order by 1`),
      triggers: await catalog(
        `select tgrelid::regclass || ' ' || tgname as x from pg_trigger where not tgisinternal order by 1`,
      ),
      functions: await catalog(
        `select n.nspname || '.' || p.proname as x from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname not in ('pg_catalog', 'information_schema') order by 1`,
      ),
      extensions: await catalog(`select extname as x from pg_extension order by 1`),
      textSearch: await catalog(`select cfgname::text as x from pg_ts_config order by 1`),
    };
  });
}

/** Relations outside the system schemas: 0 for an empty database. */
const relationCount = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
      where s.nspname not in ('pg_catalog', 'information_schema') and s.nspname !~ '^pg_(toast|temp)'`;
    return row!.n;
  });

/** The files under a folder, name → bytes (dot-names included: no staging may stay behind). */
async function folder(dir: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (!existsSync(dir)) return found;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) found.set(path.relative(dir, full), await readFile(full));
    else if (entry.name.startsWith('.')) found.set(path.relative(dir, full) + '/', Buffer.alloc(0));
  }
  return found;
}

/** A new empty database with its own data folder. */
async function target(): Promise<{ url: string; dataDir: string; uploads: string }> {
  const dataDir = await mkdtemp(path.join(work, 'data-'));
  return { url: await databases.create(), dataDir, uploads: path.join(dataDir, 'uploads') };
}

/** Runs entrypoint.sh with stdin and/or stdout connected to files (binary-safe). */
function entrypointWithFiles(
  args: string[],
  env: Record<string, string>,
  io: { stdin?: string; stdout?: string; cwd?: string },
): Promise<{ code: number | null; stderr: string }> {
  const stdin = io.stdin ? openSync(io.stdin, 'r') : 'ignore';
  const stdout = io.stdout ? openSync(io.stdout, 'w') : 'ignore';
  const child = spawn(path.join(root, 'entrypoint.sh'), args, {
    cwd: io.cwd ?? '/',
    env: { HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: [stdin, stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      if (typeof stdin === 'number') closeSync(stdin);
      if (typeof stdout === 'number') closeSync(stdout);
      resolve({ code, stderr });
    }),
  );
}

/** A copy of `from` whose manifest is changed by `edit` (the manifest stays the first member). */
async function repacked(from: string, name: string, edit: (manifest: any) => void): Promise<string> {
  const dir = await mkdtemp(path.join(work, 'repack-'));
  await exec('tar', ['--extract', `--file=${from}`, `--directory=${dir}`]);
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const out = path.join(work, name);
  await exec('tar', [
    '--create',
    '--format=gnu',
    `--file=${out}`,
    `--directory=${dir}`,
    'manifest.json',
    'database.dump',
    'uploads',
  ]);
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'laneway-backup-test-'));
  journal = JSON.parse(await readFile(path.join(root, 'db/migrations/meta/_journal.json'), 'utf8')).entries;
  version = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).version;

  const dataDir = path.join(work, 'source');
  source = { url: await databases.create(), dataDir, uploads: path.join(dataDir, 'uploads') };
  const migrated = await entrypoint(['migrate'], envFor(source.url, source.dataDir));
  expect(migrated.code, migrated.output).toBe(0);
  await seedDemo(source.url, { tickets: 12, migrate: false, log: () => {} });

  // Two attachments with their files, an orphan file nothing refers to (kept: harmless), and
  // an upload still arriving (`.part`: left out).
  await mkdir(source.uploads, { recursive: true });
  files.set(randomUUID(), randomBytes(200_000));
  files.set(randomUUID(), Buffer.from('Grüße aus der Werkstatt\n'));
  await withSql(source.url, async (sql) => {
    const [ticket] = await sql<{ id: number }[]>`select min(id)::int as id from tickets`;
    for (const [key, bytes] of files) {
      await writeFile(path.join(source.uploads, key), bytes);
      await sql`insert into attachments (ticket_id, filename, content_type, size, sha256, storage_key)
                values (${ticket!.id}, ${`Überweisung ${key.slice(0, 4)}.bin`}, 'application/octet-stream',
                        ${bytes.length}, 'not checked here', ${key})`;
    }
    // Text that COPY escapes, to compare after the round trip.
    await sql`update tickets set description = ${'tab\there, newline\nhere, backslash \\ and ☃'}
              where id = ${ticket!.id}`;
  });
  await writeFile(path.join(source.uploads, randomUUID()), 'orphan');
  await writeFile(path.join(source.uploads, `${randomUUID()}.part`), 'half an upl');

  archive = path.join(work, 'backups', 'laneway.tar');
  const backup = await entrypoint(['backup', archive], envFor(source.url, source.dataDir));
  expect(backup.code, backup.output).toBe(0);
  expect(backup.output).toMatch(/Backed up .*laneway\.tar in [\d.]+ s: the database at \d{4}_\w+/);
}, 120_000);

afterAll(async () => {
  await databases.dropAll();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('entrypoint.sh backup', () => {
  it('writes one archive: the manifest first, then the dump, then the upload files', async () => {
    const { stdout } = await exec('tar', ['--list', `--file=${archive}`]);
    const members = stdout.trim().split('\n');
    expect(members.slice(0, 2)).toEqual(['manifest.json', 'database.dump']);
    const uploads = (await folder(source.uploads)).keys();
    const expected = [...uploads].filter((f) => !f.endsWith('.part')).map((f) => `uploads/${f}`);
    expect(members.slice(2).sort()).toEqual(expected.sort());
    expect(members.slice(2)).toHaveLength(3);
    expect(existsSync(`${archive}.partial`)).toBe(false);

    const { stdout: text } = await exec('tar', ['--extract', '--to-stdout', `--file=${archive}`, 'manifest.json']);
    const manifest = JSON.parse(text);
    const last = journal.at(-1)!;
    expect(manifest).toMatchObject({
      format: 'laneway-backup',
      format_version: 1,
      laneway_version: version,
      schema: { migrations: journal.length, last_migration: { tag: last.tag, when: last.when } },
      database: { file: 'database.dump', pg_dump: expect.stringMatching(/^pg_dump \(PostgreSQL\) \d+/) },
      uploads: { dir: 'uploads', files: 3, referenced: 2, missing: [] },
    });
    expect(manifest.uploads.bytes).toBe(200_000 + Buffer.byteLength('Grüße aus der Werkstatt\n') + 6);
  });

  it("takes a relative FILE as the caller's, not entrypoint.sh's folder", async () => {
    const run = await entrypointWithFiles(['backup', 'relative.tar'], envFor(source.url, source.dataDir), {
      cwd: work,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Backed up ${path.join(work, 'relative.tar')} in`);
    expect(existsSync(path.join(work, 'relative.tar'))).toBe(true);
    expect(existsSync(path.join(root, 'relative.tar'))).toBe(false);
  }, 60_000);

  it('names the attachments whose files are not there, and refuses when the uploads folder is missing', async () => {
    const partial = await mkdtemp(path.join(work, 'partial-'));
    const [kept, lost] = [...files.keys()];
    await mkdir(path.join(partial, 'uploads'));
    await writeFile(path.join(partial, 'uploads', kept!), files.get(kept!)!);
    const out = path.join(work, 'partial.tar');
    const run = await entrypoint(['backup', out], envFor(source.url, partial));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`warning: 1 attachment file(s) the database refers to were not in UPLOAD_DIR`);
    expect(run.output).toContain(lost);
    const { stdout } = await exec('tar', ['--extract', '--to-stdout', `--file=${out}`, 'manifest.json']);
    expect(JSON.parse(stdout).uploads).toMatchObject({ files: 1, referenced: 2, missing: [lost] });

    const nowhere = await entrypoint(['backup', path.join(work, 'nowhere.tar')], {
      ...envFor(source.url, partial),
      UPLOAD_DIR: path.join(work, 'no-such-folder'),
    });
    expect(nowhere.code).toBe(1);
    expect(nowhere.output).toMatch(/UPLOAD_DIR \(.*no-such-folder\) does not exist, but the database has 2 attachment/);
    expect(existsSync(path.join(work, 'nowhere.tar'))).toBe(false);
    expect(existsSync(path.join(work, 'nowhere.tar.partial'))).toBe(false);
  }, 60_000);
});

describe('entrypoint.sh restore', () => {
  let restored: Awaited<ReturnType<typeof target>>;
  let expected: Record<string, unknown>;

  beforeAll(async () => {
    expected = await snapshot(source.url);
  });

  it('restores into a fresh database and upload folder: the same catalog, rows, sequences and files', async () => {
    restored = await target();
    const run = await entrypoint(['restore', archive], envFor(restored.url, restored.dataDir));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Restored .*laneway\.tar in [\d.]+ s: .* 3 upload file\(s\) into /);
    expect(await snapshot(restored.url)).toEqual(expected);
    const sourceFiles = await folder(source.uploads);
    for (const [name] of sourceFiles) if (name.endsWith('.part')) sourceFiles.delete(name);
    expect(await folder(restored.uploads)).toEqual(sourceFiles);
    for (const [key, bytes] of files) expect((await folder(restored.uploads)).get(key)?.equals(bytes)).toBe(true);

    // The restored database is a migrated Laneway database: nothing left to apply.
    const migrate = await entrypoint(['migrate'], envFor(restored.url, restored.dataDir));
    expect(migrate.code, migrate.output).toBe(0);
    expect(migrate.output).toContain(`is up to date (${journal.length}/${journal.length} migrations)`);
  }, 90_000);

  it('streams: backup - writes the archive to stdout, restore - reads it from stdin', async () => {
    const streamed = path.join(work, 'streamed.tar');
    const backup = await entrypointWithFiles(['backup', '-'], envFor(source.url, source.dataDir), { stdout: streamed });
    expect(backup.code, backup.stderr).toBe(0);
    const { stdout } = await exec('tar', ['--list', `--file=${streamed}`]);
    expect(stdout.split('\n').slice(0, 2)).toEqual(['manifest.json', 'database.dump']);

    const fresh = await target();
    const restore = await entrypointWithFiles(['restore', '-'], envFor(fresh.url, fresh.dataDir), { stdin: streamed });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await snapshot(fresh.url)).toEqual(expected);
    expect([...(await folder(fresh.uploads)).keys()].sort()).toEqual(
      [...(await folder(restored.uploads)).keys()].sort(),
    );
  }, 90_000);

  it('refuses a database that is not empty and changes nothing; --force replaces it', async () => {
    await withSql(restored.url, (sql) => sql`update tickets set title = 'changed after the restore'`);
    const refused = await entrypoint(['restore', archive], envFor(restored.url, restored.dataDir));
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/The database is not empty \(\d+ tables, views and sequences, \d+ account\(s\)\)/);
    expect(refused.output).toContain('--force');
    expect(refused.output).toContain('Nothing was changed.');
    const titles = await withSql(restored.url, (sql) => sql<{ title: string }[]>`select distinct title from tickets`);
    expect(titles).toEqual([{ title: 'changed after the restore' }]);

    const forced = await entrypoint(['restore', '--force', archive], envFor(restored.url, restored.dataDir));
    expect(forced.code, forced.output).toBe(0);
    expect(await snapshot(restored.url)).toEqual(expected);
    expect(forced.output).toContain('(3 of them replaced a file of the same name)');
  }, 90_000);

  it("restores an older version's backup, then applies this build's newer migrations", async () => {
    // The database of the build before the last migration: this journal without its last entry.
    const migrations = path.join(work, 'older-migrations');
    await cp(path.join(root, 'db/migrations'), migrations, { recursive: true });
    const journalFile = path.join(migrations, 'meta/_journal.json');
    const older = JSON.parse(await readFile(journalFile, 'utf8'));
    older.entries.pop();
    await writeFile(journalFile, JSON.stringify(older));
    const old = await target();
    await runMigrations({ connectionString: old.url, logger: new Logger(() => () => {}) });
    await withSql(old.url, async (sql) => {
      await migrate(drizzle(sql), { migrationsFolder: migrations });
      // A job waiting in the queue, and the heartbeat of the worker that holds it.
      await sql`select graphile_worker.add_job('backup_test_task', '{}'::json)`;
      await sql`update graphile_worker._private_jobs set locked_by = 'old-worker', locked_at = now()`;
      await sql`insert into worker_heartbeats (id, worker_ids) values ('old-process', '{old-worker}')`;
    });
    const oldArchive = path.join(work, 'older.tar');
    const backup = await entrypoint(['backup', oldArchive], envFor(old.url, old.dataDir));
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toContain(`the database at ${journal.at(-2)!.tag}`);

    const fresh = await target();
    const run = await entrypoint(['restore', oldArchive], envFor(fresh.url, fresh.dataDir));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`the database at ${journal.at(-2)!.tag} (then 1 newer migration(s) applied)`);
    // The same schema as a database migrated by this build.
    const { rows: _rows, sequences: _sequences, ...schema } = await snapshot(fresh.url);
    const { rows: _r, sequences: _s, ...current } = expected;
    expect(schema).toEqual(current);
    const state = await withSql(fresh.url, async (sql) => ({
      migrations: (await sql`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n,
      jobs: await sql`select task_identifier, locked_by from graphile_worker.jobs`,
      heartbeats: await sql`select id, worker_ids from worker_heartbeats`,
    }));
    // Kept: the new worker releases that job once the restored heartbeat is stale.
    expect(state).toEqual({
      migrations: journal.length,
      jobs: [{ task_identifier: 'backup_test_task', locked_by: 'old-worker' }],
      heartbeats: [{ id: 'old-process', worker_ids: ['old-worker'] }],
    });
  }, 90_000);

  it('refuses a backup from a newer schema than this build knows, saying what to do, and changes nothing', async () => {
    const last = journal.at(-1)!;
    const future = await repacked(archive, 'future.tar', (manifest) => {
      manifest.laneway_version = '99.0.0';
      manifest.schema.migrations += 1;
      manifest.schema.last_migration = { tag: '9999_from_the_future', when: last.when + 1, hash: 'f'.repeat(64) };
    });
    const fresh = await target();
    const run = await entrypoint(['restore', future], envFor(fresh.url, fresh.dataDir));
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `This backup's database is at migration 9999_from_the_future (Laneway 99.0.0), newer than this image knows: ` +
        `its last migration is ${last.tag} (Laneway ${version}).`,
    );
    expect(run.output).toContain('Restore it with an image of Laneway 99.0.0 or newer');
    expect(run.output).toContain('Nothing was changed.');
    expect(await relationCount(fresh.url)).toBe(0);
    expect((await folder(fresh.uploads)).size).toBe(0);

    // A migration this build lacks, though not newer than its last one: another build's.
    const other = await repacked(archive, 'other.tar', (manifest) => {
      manifest.schema.last_migration = { tag: '0003_elsewhere', when: journal[3]!.when + 1, hash: 'e'.repeat(64) };
    });
    const elsewhere = await entrypoint(['restore', other], envFor(fresh.url, fresh.dataDir));
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.output).toContain('which this image (Laneway');
    expect(await relationCount(fresh.url)).toBe(0);
  }, 60_000);

  it('refuses what is not a Laneway backup, and a damaged one, and changes nothing', async () => {
    const fresh = await target();
    const notTar = path.join(work, 'not-a-backup.txt');
    await writeFile(notTar, 'hello\n'.repeat(200));
    const plain = await entrypoint(['restore', notTar], envFor(fresh.url, fresh.dataDir));
    expect(plain.code).toBe(1);
    expect(plain.output).toContain('This is not a Laneway backup (no tar archive).');

    const truncated = path.join(work, 'truncated.tar');
    await writeFile(truncated, (await readFile(archive)).subarray(0, 100_000));
    const cut = await entrypoint(['restore', truncated], envFor(fresh.url, fresh.dataDir));
    expect(cut.code).toBe(1);
    expect(cut.output).toMatch(/could not be unpacked|damaged/);

    const missing = await entrypoint(['restore', path.join(work, 'nope.tar')], envFor(fresh.url, fresh.dataDir));
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('nope.tar: no such file.');

    const usage = await entrypoint(['restore'], envFor(fresh.url, fresh.dataDir));
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('restore needs the archive');

    expect(await relationCount(fresh.url)).toBe(0);
    expect((await folder(fresh.uploads)).size).toBe(0);
  }, 60_000);
});
