/**
 * Helpers shared by the benchmarks (`bench/api.ts`, `bench/realtime.ts`, `bench/jobs.ts`,
 * `bench/web.ts`): the run every one of them starts with (`withBenchRun`, `runMain`), the bench
 * database, child processes (the Laneway server and the floors), knobs from the environment,
 * sign-in, and the Markdown table. Nothing here measures anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedResult } from '@laneway/db/seed';
import type postgres from 'postgres';

/** The repository root: children run from here. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

// ---------------------------------------------------------------- configuration

/** A number from the environment, `fallback` when unset; throws naming the variable when bad. */
export function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return value;
}

// ---------------------------------------------------------------- database

/**
 * A one-connection postgres.js client for the bench's own statements. The database package is
 * loaded on first use, so a floor process (which imports this module too) stays bare.
 */
export async function benchSql(url: string) {
  const { createDb } = await import('@laneway/db/client');
  return createDb(url, { max: 1, applicationName: 'laneway-bench' }).sql;
}

/**
 * The default columns as rows (name, category, position) for a bench's own projects written in
 * SQL: `select … from p cross join ${defaultColumnRows(tx)}`.
 */
export function defaultColumnRows(sql: postgres.TransactionSql | postgres.Sql) {
  return sql`(values ('To Do', 'todo', 'a0'), ('In Progress', 'in_progress', 'a1'),
    ('Review', 'in_progress', 'a2'), ('Done', 'done', 'a3')) as d(name, category, position)`;
}

export interface BenchDatabase {
  url: string;
  label: string;
  drop(): Promise<void>;
}

/** Our own signal handlers: any other (installed by a dependency) is removed. */
export const ownSignalHandlers = new Set<NodeJS.SignalsListener>();

async function reachable(url: string): Promise<boolean> {
  const sql = await benchSql(url);
  try {
    await Promise.race([
      sql`select 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000).unref()),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** A fresh database on the server at `adminUrl`, dropped (with force) by `drop()`. */
async function createBenchDatabase(adminUrl: string, source: string): Promise<BenchDatabase> {
  const name = `laneway_bench_${process.pid}`;
  const sql = await benchSql(adminUrl);
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
    const [version] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      label: `PostgreSQL ${version?.v ?? '?'} (${source}), database ${name}`,
      drop: async () => {
        const admin = await benchSql(adminUrl);
        try {
          await admin.unsafe(`drop database if exists "${name}" with (force)`);
        } finally {
          await admin.end({ timeout: 5 });
        }
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * A fresh `laneway_bench_<pid>` database: on BENCH_DATABASE_URL's or DATABASE_URL's server, else
 * the machine's PostgreSQL at 127.0.0.1:5432, else an embedded PostgreSQL (BENCH_EMBEDDED=1
 * forces it). `drop()` removes it again.
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const configured = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  const forceEmbedded = process.env.BENCH_EMBEDDED === '1';
  if (configured && !forceEmbedded) {
    const source = process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'DATABASE_URL';
    return createBenchDatabase(configured, source);
  }
  if (!forceEmbedded && (await reachable(LOCAL_POSTGRES))) return createBenchDatabase(LOCAL_POSTGRES, '127.0.0.1:5432');
  log('Starting an embedded PostgreSQL in a temporary folder.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'laneway-bench-'));
  // As root the cluster runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const { startEmbeddedPostgres } = await import('@laneway/db/embedded');
  const embedded = await startEmbeddedPostgres(dir, log);
  // embedded.ts stops the cluster and exits on a signal when it is the only handler; the bench
  // has its own clean-up (children, bench database, cluster), so drop that safety net.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!ownSignalHandlers.has(listener)) process.removeListener(signal, listener);
    }
  }
  return {
    url: embedded.url,
    label: `embedded PostgreSQL in ${dir}`,
    drop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- child processes

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Child {
  process: ChildProcess;
  name: string;
  output: () => string;
}

/**
 * Runs `node <args>` from the repository root, keeping the last 20 kB of its output. With
 * `maxFiles` it starts through bash with `ulimit -n` raised first (as far as the hard limit
 * allows, unless we are root), so one process can hold that many sockets; `exec` keeps the pid.
 */
export function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ipc = false,
  maxFiles?: number,
): Child {
  const [command, argv] =
    maxFiles === undefined
      ? [process.execPath, args]
      : [
          'bash',
          [
            '-c',
            `ulimit -n ${maxFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`,
            process.execPath,
            ...args,
          ],
        ];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { process: child, name, output: () => output };
}

export async function stopChild(child: Child | null): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * What one benchmark run owns: its child processes and its bench database. `cleanup()` stops
 * the children and drops the database once, at the normal end or on Ctrl-C (then exit 130);
 * any other exit still SIGKILLs the children, so no server is ever left running behind.
 */
export function benchScope(log: (line: string) => void, before?: () => unknown) {
  const children: Child[] = [];
  let database: BenchDatabase | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await before?.();
      await Promise.all(children.map(stopChild));
      await database?.drop().catch((error: unknown) => log(`could not drop the bench database: ${String(error)}`));
    })());
  const interrupted = () => {
    log('\ninterrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  };
  ownSignalHandlers.add(interrupted);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.once('exit', () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  });
  return {
    /** Adopts a child process: stopped by `cleanup()`. */
    own<T extends Child | null>(child: T): T {
      if (child) children.push(child);
      return child;
    },
    /** Adopts the bench database: dropped by `cleanup()`. */
    ownDatabase(opened: BenchDatabase): BenchDatabase {
      return (database = opened);
    },
    cleanup,
  };
}

export type BenchScope = ReturnType<typeof benchScope>;

// ---------------------------------------------------------------- one run

/** What a benchmark's body gets from `withBenchRun`. */
export interface BenchRun {
  /** Progress lines, to stderr: stdout carries only the report. */
  log: (line: string) => void;
  /** Adopt children here; `scope.cleanup()` may be called early (before printing the report). */
  scope: BenchScope;
  /** The bench database, seeded with the demo data. */
  database: BenchDatabase;
  demo: SeedResult;
  /** The one-minute load average when the run started, for the report's header. */
  loadBefore: number;
  /** Seconds since the run started. */
  elapsed(): number;
}

export interface BenchRunOptions {
  /** Tickets in the demo project (seedDemo's default, 1,000, when unset). */
  tickets?: number;
  /** Called (and awaited) first by the cleanup: close what the bench itself opened (a receiver, a browser). */
  beforeCleanup?: () => unknown;
}

/**
 * The start every benchmark shares: a scope that cleans up on any exit, a warning when the
 * machine is already busy, the bench database with the demo data; then `body`; then the
 * cleanup (children stopped, database dropped), also when `body` throws.
 *
 * @example await withBenchRun({ tickets: 1000 }, async ({ database, demo, scope }) => { … });
 */
export async function withBenchRun(options: BenchRunOptions, body: (run: BenchRun) => Promise<void>): Promise<void> {
  const log = (line: string) => console.error(line);
  const scope = benchScope(log, options.beforeCleanup);
  try {
    const started = performance.now();
    const loadBefore = os.loadavg()[0]!;
    if (loadBefore > os.cpus().length / 2) {
      log(`warning: load average ${loadBefore.toFixed(2)} before start: other processes compete for the CPU`);
    }
    const database = scope.ownDatabase(await openBenchDatabase(log));
    log(`database: ${database.label}`);
    // Loaded here, not at the top: a floor process imports this module too and stays bare.
    const { seedDemo } = await import('@laneway/db/seed');
    const demo = await seedDemo(database.url, { tickets: options.tickets, log: () => {} });
    await body({ log, scope, database, demo, loadBefore, elapsed: () => (performance.now() - started) / 1000 });
  } finally {
    await scope.cleanup();
  }
}

/**
 * Runs a benchmark as the process: exit 0 when it finished (a missed target included: the
 * report says so), 1 with the error when it failed.
 */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}

/**
 * Waits until `url` answers 2xx, or a readiness answer (`{checks: {name: boolean}}`) whose only
 * failed checks are in `ignored`.
 */
export async function waitForReady(
  child: Child,
  url: string,
  timeoutMs = 60_000,
  ignored: string[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`${child.name} exited with code ${child.process.exitCode}:\n${child.output()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = await res.text();
      const checks = (JSON.parse(last) as { checks?: Record<string, boolean> }).checks ?? {};
      const failed = Object.keys(checks).filter((name) => !checks[name]);
      if (ignored.length && failed.length && failed.every((name) => ignored.includes(name))) return;
    } catch {
      // not listening yet, or not JSON
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} was not ready at ${url} after ${timeoutMs / 1000} s (${last}):\n${child.output()}`);
}

/** The SECRET_KEY of every process a bench starts (production mode refuses to start without one). */
export const BENCH_SECRET_KEY = 'bench secret key, not for any real deployment';

export interface LanewayOptions {
  /** Run with Redis (many-instance mode). */
  redisUrl?: string | undefined;
  /** A folder: run with `--cpu-prof` and write the V8 profile there on exit. */
  cpuProfDir?: string | null;
  /** Further Node options, before the script. */
  nodeArgs?: string[];
  /** Raise the open-file limit of the server (see startChild). */
  maxFiles?: number;
  /** Further server variables, applied last (they override the defaults below). */
  env?: Record<string, string>;
}

/**
 * Laneway as a child process on a free port (`NODE_ENV=production`, `LOG_LEVEL=warn`,
 * `WORKER_MODE=off`, the login limiter relaxed), resolved once `/ready` answers.
 */
export async function startLaneway(
  databaseUrl: string,
  settings: LanewayOptions,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'REDIS_URL', 'REDIS_HOST']) {
    delete env[name];
  }
  Object.assign(env, {
    NODE_ENV: 'production',
    SECRET_KEY: BENCH_SECRET_KEY,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKER_MODE: 'off',
    // The bench signs in once; keep the limiter out of the way of reruns against one database.
    LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
    // Benchmarks write as one user far faster than a person: the role limits would be measured instead.
    RATE_LIMIT_WRITES_PER_MINUTE: '100000000,100000000,100000000',
  });
  if (settings.redisUrl) env.REDIS_URL = settings.redisUrl;
  Object.assign(env, settings.env);
  const args = settings.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`] : [];
  const child = startChild(
    'Laneway',
    [...args, ...(settings.nodeArgs ?? []), 'server/src/main.ts'],
    env,
    false,
    settings.maxFiles,
  );
  const url = `http://127.0.0.1:${port}`;
  // Jobs are off (WORKER_MODE=off) and no worker process runs: a readiness check that wants a
  // worker's heartbeat cannot pass, and nothing the benchmarks measure needs one.
  try {
    await waitForReady(child, `${url}/ready`, 60_000, ['worker']);
  } catch (error) {
    // The caller never gets the child to clean up: stop it here.
    await stopChild(child);
    throw error;
  }
  return { child, url };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); else null. */
export async function cpuTimeMs(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * Signs in with the password and returns the access token (Bearer). The default is the demo's
 * project superadmin: the seed names its users `demo-<role>` (db/src/seed.ts).
 */
export async function login(baseUrl: string, password: string, username = 'demo-superadmin'): Promise<string> {
  const res = await fetch(`${baseUrl}/api/tickets/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access: string }).access;
}

/** The part of a board answer the benchmarks read. */
export interface BoardBody {
  columns: { id: number; tickets: { id: number; position: string }[] }[];
}

/** A project's board (Bearer token), parsed, with its size in bytes. */
export async function fetchBoard(
  baseUrl: string,
  token: string,
  projectId: number,
): Promise<{ board: BoardBody; bytes: number }> {
  const res = await fetch(`${baseUrl}/api/tickets/projects/${projectId}/board/`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`board failed: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return { board: JSON.parse(text) as BoardBody, bytes: Buffer.byteLength(text) };
}

/** 12,345.6: numbers as the tables print them. */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A Markdown table with padded columns, so it also reads well as plain text. */
export function markdownTable(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [row(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}
