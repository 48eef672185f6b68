/**
 * entrypoint.sh for real, against the test PostgreSQL: configuration check, bounded wait for
 * the database, migrations under the advisory lock, and the server and worker commands.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entrypoint,
  freePort,
  root,
  runEntrypoint,
  scratchDatabases,
  terminate,
  waitReady,
  type Started,
} from './processes.ts';

const databases = scratchDatabases('entry');
let dataDir: string;
let journalEntries: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'laneway-entrypoint-'));
  const journal = JSON.parse(await readFile(path.join(root, 'db/migrations/meta/_journal.json'), 'utf8'));
  journalEntries = journal.entries.length;
});

afterAll(async () => {
  await databases.dropAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Migrations recorded by drizzle and graphile-worker's schema, as /ready and jobs need them. */
async function migrated(url: string): Promise<{ drizzle: number; graphile: boolean }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ drizzle: number; graphile: boolean }[]>`
      select (select count(*)::int from drizzle.__drizzle_migrations) as drizzle,
             exists (select 1 from pg_namespace where nspname = 'graphile_worker') as graphile`;
    return row!;
  } finally {
    await sql.end();
  }
}

describe('entrypoint.sh', () => {
  it('is clean under shellcheck (POSIX sh)', async () => {
    const run = promisify(execFile);
    const found = await run('shellcheck', ['--version']).catch(() => null);
    expect(found, 'shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)').not.toBeNull();
    const result = await run('shellcheck', ['--shell=sh', 'entrypoint.sh'], { cwd: root }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  });

  it('migrate: applies every migration to a fresh database, and succeeds again with nothing to do', async () => {
    const DATABASE_URL = await databases.create();
    const first = await entrypoint(['migrate'], { DATABASE_URL, DATA_DIR: dataDir });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/Applied \d+ migration\(s\) to PostgreSQL at /);
    expect(await migrated(DATABASE_URL)).toEqual({ drizzle: journalEntries, graphile: true });
    const second = await entrypoint(['migrate'], { DATABASE_URL, DATA_DIR: dataDir });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain(`is up to date (${journalEntries}/${journalEntries} migrations)`);
  }, 60_000);

  it('migrate: three containers starting at once all succeed', async () => {
    const DATABASE_URL = await databases.create();
    const runs = await Promise.all([1, 2, 3].map(() => entrypoint(['migrate'], { DATABASE_URL, DATA_DIR: dataDir })));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    expect(await migrated(DATABASE_URL)).toEqual({ drizzle: journalEntries, graphile: true });
  }, 60_000);

  it('gives up on an unreachable database after DB_WAIT_SECONDS, saying why', async () => {
    const run = await entrypoint(['migrate'], {
      DATABASE_URL: 'postgres://laneway:secret@127.0.0.1:1/laneway',
      DB_WAIT_SECONDS: '2',
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('entrypoint: waiting up to 2 s for the database');
    expect(run.output).toMatch(
      /entrypoint: PostgreSQL at postgres:\/\/laneway:\*\*\*@127\.0\.0\.1:1\/laneway: .*ECONNREFUSED.* \(gave up after DB_WAIT_SECONDS=2 s\)/,
    );
    expect(run.output).not.toContain('secret');
    // Two seconds of waiting, plus a few node start-ups on a busy machine.
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  it('stops at once when the database refuses us: waiting would not help', async () => {
    const url = new URL(await databases.create());
    url.pathname = '/lwt_no_such_database';
    const run = await entrypoint(['migrate'], { DATABASE_URL: url.toString(), DB_WAIT_SECONDS: '30' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('database "lwt_no_such_database" does not exist');
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  it('refuses production without DATABASE_URL, and a bad DB_WAIT_SECONDS, naming the variable', async () => {
    const production = await entrypoint(['server'], { NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(production.code).toBe(1);
    expect(production.output.trim()).toMatch(/^Invalid configuration: DATABASE_URL: must be set/);
    const wait = await entrypoint(['migrate'], { DB_WAIT_SECONDS: 'soon' });
    expect(wait.code).toBe(1);
    expect(wait.output.trim()).toBe(
      'entrypoint: Invalid configuration: DB_WAIT_SECONDS: must be a whole number of seconds',
    );
  }, 30_000);

  it('runs any other command as it is, without touching the database', async () => {
    const run = await entrypoint(['sh', '-c', 'echo "$0 in $(pwd)"', 'hello'], {
      DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
    });
    expect(run).toMatchObject({ code: 0, output: `hello in ${root}\n` });
  });
});

describe('entrypoint.sh server and worker', () => {
  let running: Started | undefined;

  afterAll(async () => {
    if (running) await terminate(running);
  });

  it('server (the default): migrates, becomes the server, is ready, and exits 0 on SIGTERM', async () => {
    const DATABASE_URL = await databases.create();
    const port = await freePort();
    running = runEntrypoint([], { DATABASE_URL, DATA_DIR: dataDir, PORT: String(port), WORKER_MODE: 'inline' });
    await waitReady(running, port);
    const ready = await (await fetch(`http://127.0.0.1:${port}/ready`)).json();
    expect(ready).toMatchObject({ status: 'ok', checks: { postgres: true, migrations: true, worker: true } });
    // exec: the process we started is the server itself, so its exit code is the server's.
    expect(await terminate(running)).toBe(0);
    expect(running.output()).toContain(`Laneway is running at http://localhost:${port}`);
    running = undefined;
  }, 90_000);

  it('worker: migrates, runs the worker (its heartbeat appears), and exits 0 on SIGTERM', async () => {
    const DATABASE_URL = await databases.create();
    running = runEntrypoint(['worker'], { DATABASE_URL, DATA_DIR: dataDir });
    const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const started = Date.now();
      let beats = 0;
      while (beats === 0) {
        if (running.child.exitCode !== null) throw new Error(`worker exited:\n${running.output()}`);
        if (Date.now() - started > 60_000) throw new Error(`no heartbeat:\n${running.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        [{ beats }] = await sql<{ beats: number }[]>`
          select count(*)::int as beats from worker_heartbeats`.catch(() => [{ beats: 0 }]);
      }
      expect(await terminate(running)).toBe(0);
      running = undefined;
      // A clean stop removes the heartbeat row.
      const [after] = await sql<{ beats: number }[]>`select count(*)::int as beats from worker_heartbeats`;
      expect(after!.beats).toBe(0);
    } finally {
      await sql.end();
    }
  }, 90_000);
});
