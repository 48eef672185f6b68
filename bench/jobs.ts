/**
 * `npm run bench:jobs`: the background jobs under load, in one run on loopback.
 *
 * 1. Archiving: 100,000 tickets done two days ago (another project than the one being read) are
 *    archived by the real `archive_done_tickets` task in a `worker` process, while 20
 *    connections read boards and ticket lists. Reported: the archive's duration and rate against
 *    its floor (one bare `UPDATE … RETURNING *` of the same rows, rolled back), and the p50/p99
 *    of those reads during it against the same reads with no job running (their floor).
 * 2. Webhooks: a receiver on loopback, a webhook on the demo project, and moves at a steady rate.
 *    Reported: p50/p99 from the event's commit (the body's `timestamp`) to the receiver reading
 *    the request, against the floor of a bare `fetch` POST of the same body to the same receiver.
 *
 * Knobs: BENCH_JOBS_TICKETS (100000), BENCH_JOBS_READ_SECONDS (8), BENCH_JOBS_WEBHOOKS (200),
 * BENCH_JOBS_RATE (20 moves/s), and the database knobs of bench/README.md.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';
import { TASKS } from '@laneway/db/tasks';
import {
  BENCH_SECRET_KEY,
  benchSql,
  cpuTimeMs,
  fmt,
  login,
  markdownTable,
  numberFromEnv,
  runMain,
  startChild,
  startLaneway,
  withBenchRun,
} from './lib.ts';

const settings = {
  tickets: numberFromEnv('BENCH_JOBS_TICKETS', 100_000, 1),
  readSeconds: numberFromEnv('BENCH_JOBS_READ_SECONDS', 8, 1),
  webhooks: numberFromEnv('BENCH_JOBS_WEBHOOKS', 200, 1),
  rate: numberFromEnv('BENCH_JOBS_RATE', 20, 1),
};

const log = (line: string) => console.error(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface ReadStats {
  requests: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/** 20 connections reading for a while, or until `until` resolves (whichever is later). */
async function readLoad(url: string, paths: string[], token: string, seconds: number): Promise<ReadStats> {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 20,
        duration: seconds,
        requests: paths.map((path) => ({
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
        })),
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
  });
  return {
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

/** Inserts `count` tickets in a new project, done two days ago, in batches of 10,000. */
async function seedDoneTickets(url: string, reporter: number, count: number): Promise<number> {
  const sql = await benchSql(url);
  try {
    const [project] = await sql<{ id: number }[]>`
      insert into projects (name, key, created_by) values ('Archive bench', 'ARCH', ${reporter}) returning id`;
    const [column] = await sql<{ id: number }[]>`
      insert into columns (project_id, name, category, position) values (${project!.id}, 'Done', 'done', 'a0')
      returning id`;
    for (let start = 1; start <= count; start += 10_000) {
      const end = Math.min(count, start + 9_999);
      // Keys 'a0' + 7 digits + 'V': unique, ordered, and never ending in '0'.
      await sql`
        insert into tickets (project_id, number, title, column_id, position, priority_id, reporter_id,
          status, done_at, created_at, updated_at)
        select ${project!.id}, i, 'Done ticket ' || i, ${column!.id}, 'a0' || lpad(i::text, 7, '0') || 'V', 2,
          ${reporter}, 'done', now() - interval '48 hours', now() - interval '72 hours', now() - interval '48 hours'
        from generate_series(${start}::int, ${end}::int) as i`;
    }
    await sql`update projects set ticket_seq = ${count} where id = ${project!.id}`;
    await sql`analyze tickets`;
    return project!.id;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

type BenchSql = Awaited<ReturnType<typeof benchSql>>;

/**
 * CPU time (ms) so far of each PostgreSQL backend of this database whose application_name is
 * `name`, by pid; null unless the server runs on this machine (its pids are then ours to read).
 */
async function backendCpu(sql: BenchSql, local: boolean, name: string): Promise<Map<number, number> | null> {
  if (!local) return null;
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = ${name}`;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = await cpuTimeMs(pid);
    if (ms === null) return null;
    cpu.set(pid, ms);
  }
  return cpu;
}

/** CPU the backends used between two `backendCpu` readings (one opened since counts whole). */
function backendCpuSpent(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/** Thrown to roll the archive floor's transaction back. */
class RolledBack extends Error {}

async function main(): Promise<void> {
  const receiver = createServer();
  await withBenchRun({ beforeCleanup: () => receiver.close() }, async ({ scope, database, demo, loadBefore }) => {
    const archiveProject = await seedDoneTickets(database.url, demo.users.superadmin!, settings.tickets);
    log(`seeded the demo project and ${fmt(settings.tickets)} done tickets`);

    // The receiver is on loopback: the SSRF guard must let it through, in the server (webhook
    // create) and in the worker (delivery). startLaneway passes our environment on.
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    const server = await startLaneway(database.url, {});
    scope.own(server.child);
    const token = await login(server.url, demo.password);
    const paths = [
      `/api/tickets/projects/${demo.projectId}/board/`,
      `/api/tickets/tickets/?project=${demo.projectId}&ordering=-updated_at&page_size=50`,
    ];

    // --- archiving ---------------------------------------------------------------------------
    log(`reads without jobs (${settings.readSeconds} s)`);
    const quiet = await readLoad(server.url, paths, token, settings.readSeconds);

    const workerEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      SECRET_KEY: BENCH_SECRET_KEY,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WORKER_CONCURRENCY: '4',
    };
    delete workerEnv.REDIS_URL;
    const worker = scope.own(startChild('worker', ['workers/src/index.ts'], workerEnv));
    const sql = await benchSql(database.url);
    // CPU is read from /proc: only when PostgreSQL runs here (loopback, or an embedded cluster).
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(database.url).hostname);
    try {
      for (let i = 0; !(await sql`select 1 from worker_heartbeats`).length; i++) {
        if (i > 300) throw new Error(`the worker did not start:\n${worker.output()}`);
        await sleep(100);
      }
      // Floor: the same rows archived by one bare `UPDATE … RETURNING *`, rolled back, then the
      // dead rows vacuumed away so the job meets the table as the floor did.
      log('archive floor: one UPDATE … RETURNING of the same rows, rolled back');
      const floorCpuBefore = await backendCpu(sql, local, 'laneway-bench');
      const floorStarted = performance.now();
      await sql
        .begin(async (tx) => {
          await tx`
            update tickets set is_archived = true, archived_at = now(), version = version + 1, updated_at = now()
            where project_id = ${archiveProject} and not is_archived returning *`;
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      const archiveFloorMs = performance.now() - floorStarted;
      const floorCpu = backendCpuSpent(floorCpuBefore, await backendCpu(sql, local, 'laneway-bench'));
      await sql`vacuum analyze tickets`;

      log('archiving while reading');
      const workerCpuBefore = await cpuTimeMs(worker.process.pid);
      const jobCpuBefore = await backendCpu(sql, local, 'laneway-worker');
      const started = performance.now();
      await sql`select graphile_worker.add_job(${TASKS.archiveDoneTickets}, '{}'::json)`;
      let archiveMs = 0;
      const watching = (async () => {
        for (;;) {
          const [row] = await sql<{ left: number }[]>`
            select count(*)::int as left from tickets where project_id = ${archiveProject} and not is_archived`;
          if (row!.left === 0) return (archiveMs = performance.now() - started);
          await sleep(100);
        }
      })();
      // Read for as long as the archive runs (at least readSeconds).
      const busy: ReadStats[] = [];
      let done = false;
      void watching.then(() => (done = true));
      do busy.push(await readLoad(server.url, paths, token, settings.readSeconds));
      while (!done);
      await watching;
      const workerCpuAfter = await cpuTimeMs(worker.process.pid);
      const jobCpu = backendCpuSpent(jobCpuBefore, await backendCpu(sql, local, 'laneway-worker'));
      const workerCpu = workerCpuBefore === null || workerCpuAfter === null ? null : workerCpuAfter - workerCpuBefore;
      const during: ReadStats = {
        requests: busy.reduce((n, b) => n + b.requests, 0),
        p50: Math.max(...busy.map((b) => b.p50)),
        p99: Math.max(...busy.map((b) => b.p99)),
        non2xx: busy.reduce((n, b) => n + b.non2xx, 0),
      };
      const [events] = await sql<{ n: number }[]>`
        select count(*)::int as n from events where topic = ${`project:${archiveProject}`} and type = 'ticket.archived'`;

      // --- webhooks ------------------------------------------------------------------------------
      const arrivals = new Map<string, number>();
      receiver.on('request', (req: IncomingMessage, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const at = Date.now();
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { timestamp: string; data: { id: number } };
          if (req.url === '/hook') arrivals.set(String(req.headers['webhook-id']), at - Date.parse(body.timestamp));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const created = await fetch(`${server.url}/api/tickets/webhooks/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ project: demo.projectId, url: `${hookUrl}/hook`, events: ['ticket.moved'] }),
      });
      if (created.status !== 201) throw new Error(`webhook create: ${created.status} ${await created.text()}`);

      // Floor: the same body, POSTed by a bare fetch.
      const floor: number[] = [];
      const sampleBody = JSON.stringify({ type: 'ticket.moved', timestamp: new Date().toISOString(), data: { id: 1 } });
      for (let i = 0; i < settings.webhooks; i++) {
        const t0 = performance.now();
        await (await fetch(`${hookUrl}/floor`, { method: 'POST', body: sampleBody })).arrayBuffer();
        floor.push(performance.now() - t0);
      }

      log(`${settings.webhooks} moves at ${settings.rate}/s with a webhook`);
      const gap = 1000 / settings.rate;
      for (let i = 0; i < settings.webhooks; i++) {
        const ticket = demo.ticketIds[i % demo.ticketIds.length]!;
        const column = demo.columnIds[(i + 1) % demo.columnIds.length]!;
        const res = await fetch(`${server.url}/api/tickets/tickets/${ticket}/move/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ column }),
        });
        if (!res.ok) throw new Error(`move: ${res.status} ${await res.text()}`);
        await sleep(gap);
      }
      for (let i = 0; arrivals.size < settings.webhooks && i < 300; i++) await sleep(100);
      const latencies = [...arrivals.values()].sort((a, b) => a - b);
      floor.sort((a, b) => a - b);

      const ms = (n: number) => `${fmt(n, 1)} ms`;
      console.log(`\n## bench:jobs — ${new Date().toISOString()}\n`);
      console.log(
        `${os.cpus().length} CPUs, load ${loadBefore.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}; ${database.label}\n`,
      );
      console.log(
        markdownTable(
          ['scenario', 'metric', 'value', 'floor', 'ratio'],
          [
            [
              'archive',
              `${fmt(settings.tickets)} done tickets archived`,
              `${fmt(archiveMs / 1000, 1)} s (${fmt(settings.tickets / (archiveMs / 1000))}/s), ${fmt(events!.n)} events`,
              `${fmt(archiveFloorMs / 1000, 1)} s`,
              `${fmt(archiveMs / archiveFloorMs, 1)}× (target ≤ 15 s: ${archiveMs <= 15_000 ? 'met' : 'missed'})`,
            ],
            [
              'archive',
              'CPU: worker process + its PostgreSQL backends',
              workerCpu === null || jobCpu === null
                ? 'n/a (PostgreSQL not on this machine)'
                : `${fmt((workerCpu + jobCpu) / 1000, 1)} s (${fmt(workerCpu / 1000, 1)} + ${fmt(jobCpu / 1000, 1)})`,
              floorCpu === null ? 'n/a' : `${fmt(floorCpu / 1000, 1)} s`,
              workerCpu === null || jobCpu === null || !floorCpu ? '' : `${fmt((workerCpu + jobCpu) / floorCpu, 1)}×`,
            ],
            [
              'reads during archive',
              'p50 / p99',
              `${ms(during.p50)} / ${ms(during.p99)}`,
              `${ms(quiet.p50)} / ${ms(quiet.p99)}`,
              `${fmt(during.p99 / Math.max(quiet.p99, 1), 2)}× p99 (target ≤ 1.2×: ${during.p99 <= 1.2 * quiet.p99 ? 'met' : 'missed'})`,
            ],
            [
              'reads during archive',
              'requests, non-2xx',
              `${fmt(during.requests)}, ${fmt(during.non2xx)}`,
              `${fmt(quiet.requests)}, ${fmt(quiet.non2xx)}`,
              '',
            ],
            [
              'webhook',
              `commit → receiver, p50 / p99 (${arrivals.size}/${settings.webhooks} arrived)`,
              `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
              `${ms(percentile(floor, 50))} / ${ms(percentile(floor, 99))}`,
              `${fmt(percentile(latencies, 99) / percentile(floor, 99), 1)}× p99`,
            ],
          ],
        ),
      );
      console.log(
        "\nFloors: one bare UPDATE … RETURNING * of the same rows (rolled back, then vacuumed) for the archive (its CPU: that backend's); reads with no job running; a bare fetch POST of a webhook body to the same receiver." +
          ' Webhook latency includes the worker noticing the job (LISTEN/NOTIFY), signing and the HTTP round trip.',
      );
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
}

runMain(main);
