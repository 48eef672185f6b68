/**
 * `npm run bench:coldstart`: how long `npm start` takes to answer `GET /ready` with 200, against
 * a floor taken in the same run: `node -e` starting a hello-world HTTP server, timed alike from
 * the spawn to its first answer (issue 20: ready ≤ 5 s after `npm start`).
 *
 *   floor        `node -e "http.createServer(…).listen(port)"` → first 200 (median of 3)
 *   first start  `npm start` with a new, empty DATA_DIR and no DATABASE_URL, as after
 *                `npm ci` on a fresh clone: the embedded PostgreSQL is initialised, the
 *                migrations applied, the inline worker started
 *   restart      `npm start` again on that DATA_DIR (the cluster exists, migrations done)
 *   own database `npm start` with DATABASE_URL on a new empty database of the machine's
 *                PostgreSQL (127.0.0.1:5432 or BENCH_DATABASE_URL): migrations, no initdb
 *
 * Each row says whether `npm start` built the web app first (its prestart does when `web/build`
 * is missing or stale; since decision 0050 `npm ci` builds it, so it should not). Run it after
 * `npm ci` to measure what a new user sees. Knobs: BENCH_COLDSTART_TIMEOUT (s, 180),
 * BENCH_COLDSTART_ONLY (comma list of `first,restart,database`), BENCH_DATABASE_URL,
 * BENCH_JSON (results as JSON). Reported, not asserted: the exit code is 0 when a target is missed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BENCH_SECRET_KEY,
  fmt,
  freePort,
  markdownTable,
  numberFromEnv,
  openBenchDatabase,
  ROOT,
  runMain,
} from './lib.ts';

const TARGET_S = 5;

interface Started {
  process: ChildProcess;
  output: () => string;
  /** Whether the output ever said the web app was being built (the tail may have lost the line). */
  builtWeb: () => boolean;
}

/** Spawns `command` in its own process group (npm starts a shell that starts node). */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let built = false;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    built ||= /(building|rebuilding) web\/build/.test(text);
    output = (output + text).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { process: child, output: () => output, builtWeb: () => built };
}

/** Stops the whole group (npm, its shell, node, the embedded PostgreSQL's children). */
async function stop(started: Started): Promise<void> {
  const pid = started.process.pid;
  if (pid === undefined || started.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => started.process.once('exit', () => resolve()));
  process.kill(-pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
  // The server shuts the embedded cluster down on SIGTERM; give it a moment to let go of the folder.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/**
 * CPU seconds (user + system) the process tree under `root` has used so far, its reaped
 * children included (npm's prestart, for one), from /proc (Linux; else null). On a machine
 * others load, it says what the start costs where the wall clock says how long it waited.
 */
async function treeCpuSeconds(root: number | undefined): Promise<number | null> {
  if (root === undefined || process.platform !== 'linux') return null;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      stats.set(Number(entry), { ppid: Number(f[1]), ticks });
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / 100;
}

/** Seconds from `started` until `url` answers 200 (polled every 25 ms). */
async function secondsUntilOk(child: Started, url: string, startedAt: number, timeoutS: number): Promise<number> {
  const deadline = startedAt + timeoutS * 1000;
  while (performance.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`exited with ${child.process.exitCode}:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return (performance.now() - startedAt) / 1000;
      await res.arrayBuffer();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no 200 from ${url} after ${timeoutS} s:\n${child.output()}`);
}

async function floorOnce(): Promise<number> {
  const port = await freePort();
  const script = `require('node:http').createServer((q, s) => s.end('hello')).listen(${port}, '127.0.0.1')`;
  const startedAt = performance.now();
  const child = launch(process.execPath, ['-e', script], process.env);
  try {
    return await secondsUntilOk(child, `http://127.0.0.1:${port}/`, startedAt, 30);
  } finally {
    await stop(child);
  }
}

interface Row {
  scenario: string;
  seconds: number;
  builtWeb: boolean;
  cpu: number | null;
  note: string;
}

/** `npm start` with these variables until /ready answers 200. */
async function npmStart(
  env: Record<string, string>,
  timeoutS: number,
): Promise<{ seconds: number; builtWeb: boolean; cpu: number | null }> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DB_HOST', 'DB_NAME', 'REDIS_URL', 'REDIS_HOST', 'NODE_ENV', 'PUBLIC_URL']) {
    delete childEnv[name];
  }
  Object.assign(childEnv, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const startedAt = performance.now();
  const child = launch(npm, ['start', '--silent'], childEnv);
  try {
    const seconds = await secondsUntilOk(child, `http://127.0.0.1:${port}/ready`, startedAt, timeoutS);
    return { seconds, builtWeb: child.builtWeb(), cpu: await treeCpuSeconds(child.process.pid) };
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const timeoutS = numberFromEnv('BENCH_COLDSTART_TIMEOUT', 180, 5);
  const only = new Set(
    (process.env.BENCH_COLDSTART_ONLY || 'first,restart,database')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const loadBefore = os.loadavg()[0]!;
  const log = (line: string) => console.error(line);
  const floors: number[] = [];
  for (let i = 0; i < 3; i++) floors.push(await floorOnce());
  const floor = floors.sort((a, b) => a - b)[1]!;
  log(`floor: node -e hello answered in ${floor.toFixed(3)} s (median of 3)`);
  const rows: Row[] = [];

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'laneway-coldstart-'));
  try {
    const embedded = { DATA_DIR: dataDir, SECRET_KEY: BENCH_SECRET_KEY };
    if (only.has('first') || only.has('restart')) {
      log('npm start, new DATA_DIR (embedded PostgreSQL initialised)…');
      const first = await npmStart(embedded, timeoutS);
      rows.push({ scenario: 'first start', ...first, note: 'new DATA_DIR: initdb, migrations, inline worker' });
      if (only.has('restart')) {
        log('npm start again, same DATA_DIR…');
        const again = await npmStart(embedded, timeoutS);
        rows.push({ scenario: 'restart', ...again, note: 'same DATA_DIR: the cluster and schema exist' });
      }
      if (!only.has('first')) rows.shift();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  if (only.has('database')) {
    const database = await openBenchDatabase(log);
    try {
      log(`npm start on ${database.label}…`);
      const own = await npmStart({ DATABASE_URL: database.url, SECRET_KEY: BENCH_SECRET_KEY }, timeoutS);
      rows.push({ scenario: 'own database', ...own, note: `${database.label}: migrations on an empty database` });
    } finally {
      await database.drop();
    }
  }

  const loadAfter = os.loadavg()[0]!;
  const cpus = os.cpus();
  console.log(
    [
      '',
      '## Laneway cold start',
      '',
      `${new Date().toISOString()} · Node ${process.version} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} · ` +
        `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} at the end`,
      '',
      markdownTable(
        ['scenario', 'start → /ready', 'vs floor', 'CPU to ready', 'built the web app', 'target', 'result'],
        [
          ['floor (node -e hello)', `${floor.toFixed(3)} s`, '1.00×', '—', '—', '—', 'info'],
          ...rows.map((r) => [
            r.scenario,
            `${r.seconds.toFixed(2)} s`,
            `${fmt(r.seconds / floor, 1)}×`,
            r.cpu === null ? '—' : `${r.cpu.toFixed(2)} s`,
            r.builtWeb ? 'yes' : 'no',
            `≤ ${TARGET_S} s`,
            r.seconds <= TARGET_S ? 'pass' : '**FAIL**',
          ]),
        ],
      ),
      '',
      ...rows.map((r) => `- ${r.scenario}: ${r.note}`),
    ].join('\n'),
  );
  if (process.env.BENCH_JSON) {
    await writeFile(
      path.resolve(process.env.BENCH_JSON),
      JSON.stringify({ at: new Date().toISOString(), floor, rows }, null, 2),
    );
  }
}

if (import.meta.main) runMain(main);
