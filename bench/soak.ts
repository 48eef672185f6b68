/**
 * `npm run bench:soak`: a long run of the realtime path on two instances sharing PostgreSQL and
 * Redis (issue 14, deliverable 3). 2,000 sockets follow 20 projects (100 each, spread over both
 * instances), while moves arrive at 200 a second through both instances' REST APIs. It reports:
 *
 *   events      lost (a seq skipped, or never received by the end) and duplicated (a seq seen
 *               twice) per socket, summed over all sockets: both must be 0
 *   moves       how many, their answers (every one should be 200: no `version`, last writer
 *               wins), p50 / p99 latency
 *   memory      RSS of each instance every 30 s, and its growth from the 5-minute mark (or half
 *               the run, when it is shorter) to the end: must stay under 5 %; also peak to
 *               peak (the highest sample of the 5 minutes after that mark against the highest
 *               of the last 5), which one sample caught in a GC swing does not move
 *
 * Knobs: BENCH_SOAK_MINUTES (30), BENCH_SOAK_SOCKETS (2,000), BENCH_SOAK_PROJECTS (20),
 * BENCH_SOAK_RATE (moves per second, 200), BENCH_REDIS_URL (else REDIS_URL, else the machine's
 * 127.0.0.1:6379); BENCH_DATABASE_URL and BENCH_EMBEDDED as for bench:api. Reported, not
 * asserted: exit code 0 when the run finished, whatever the figures.
 */
import { readFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import {
  benchSql,
  defaultColumnRows,
  fmt,
  login,
  markdownTable,
  numberFromEnv,
  runMain,
  startLaneway,
  withBenchRun,
  type Child,
} from './lib.ts';

const MINUTES = numberFromEnv('BENCH_SOAK_MINUTES', 30, 1);
const SOCKETS = numberFromEnv('BENCH_SOAK_SOCKETS', 2_000, 1);
const PROJECTS = numberFromEnv('BENCH_SOAK_PROJECTS', 20, 1);
const RATE = numberFromEnv('BENCH_SOAK_RATE', 200, 1);
const REDIS_URL = process.env.BENCH_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TICKETS_PER_PROJECT = 20;
/** Extra node flags for both instances (V8 heap settings, say), space-separated. */
const NODE_ARGS = (process.env.BENCH_SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean);
const SAMPLE_EVERY_MS = 30_000;
/** RSS growth is measured from here on: start-up and warm caches are not leaks. */
const BASELINE_MS = Math.min(5 * 60_000, (MINUTES * 60_000) / 2);
/** Moves in flight at once; past it a tick's moves are skipped and counted. */
const MAX_IN_FLIGHT = 400;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Project {
  id: number;
  topic: string;
  columns: number[];
  tickets: number[];
}

/** The soak's projects, written straight into the bench database, the demo superadmin owning them. */
async function createProjects(url: string, ownerId: number): Promise<Project[]> {
  const sql = await benchSql(url);
  try {
    return await sql.begin(async (tx) => {
      await tx`
        with p as (
          insert into projects (name, key, created_by, ticket_seq)
          select 'Soak ' || g, 'SK' || g, ${ownerId}, ${TICKETS_PER_PROJECT} from generate_series(1, ${PROJECTS}::int) g
          returning id
        ), r as (
          insert into user_roles (project_id, user_id, role) select id, ${ownerId}, 'superadmin'::project_role from p
        ), c as (
          insert into columns (project_id, name, category, position)
          select p.id, d.name, d.category::column_category, d.position from p cross join ${defaultColumnRows(tx)}
          returning id, project_id, position
        )
        -- Positions as fractional-indexing writes them: 'a001V'…'a020V' (a key ending in 0, such as
        -- 'a010', is refused by the library, and every move next to one answered 500).
        insert into tickets (project_id, number, title, column_id, position, status)
        select c.project_id, n, 'Soak ticket ' || n, c.id, 'a0' || lpad(n::text, 2, '0') || 'V', 'todo'::column_category
        from c cross join generate_series(1, ${TICKETS_PER_PROJECT}::int) n where c.position = 'a0'`;
      const rows = await tx<{ id: number; columns: number[]; tickets: number[] }[]>`
        select p.id,
          (select array_agg(c.id order by c.position) from columns c where c.project_id = p.id) as columns,
          (select array_agg(t.id order by t.number) from tickets t where t.project_id = p.id) as tickets
        from projects p where p.key like 'SK%' order by p.id`;
      return rows.map((r) => ({ ...r, topic: `project:${r.id}` }));
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One subscriber: checks that seqs go up by one, counts what it lost or got twice. */
class Subscriber {
  last = -1;
  /** Seqs skipped in the stream (the server never sent them). */
  lost = 0;
  duplicated = 0;
  received = 0;
  closes = 0;
  #ws: WebSocket | null = null;
  #stopped = false;

  readonly base: string;
  readonly token: string;
  readonly topic: string;

  constructor(base: string, token: string, topic: string) {
    this.base = base;
    this.token = token;
    this.topic = topic;
  }

  /** Connects and subscribes (from `last` after a drop); resolves once subscribed. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.base.replace('http', 'ws')}/ws/`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      this.#ws = ws;
      let subscribed = false;
      ws.on('open', () =>
        ws.send(
          JSON.stringify({ type: 'subscribe', topic: this.topic, ...(this.last >= 0 ? { since: this.last } : {}) }),
        ),
      );
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        // Events carry `"seq":N` right after the topic; parse only what is needed.
        if (text.startsWith('{"type":"subscribed"')) {
          const seq = Number(/"seq":(\d+)/.exec(text)![1]);
          if (this.last < 0) this.last = seq;
          else if (seq > this.last) this.lost += seq - this.last;
          this.last = Math.max(this.last, seq);
          subscribed = true;
          resolve();
          return;
        }
        const match = /^\{"type":"([a-z.]+)","topic":"[^"]+","seq":(\d+)/.exec(text);
        if (!match || match[2] === '0') return;
        const seq = Number(match[2]);
        this.received++;
        if (this.last < 0) return;
        if (seq <= this.last) this.duplicated++;
        else {
          if (seq > this.last + 1) this.lost += seq - this.last - 1;
          this.last = seq;
        }
      });
      ws.on('error', (error) => {
        if (!subscribed) reject(error);
      });
      ws.on('close', () => {
        if (this.#stopped || !subscribed) return;
        // Dropped (a slow consumer, say): resume with `since`, as the web app does.
        this.closes++;
        void sleep(200).then(() => this.open().catch(() => {}));
      });
    });
  }

  close() {
    this.#stopped = true;
    this.#ws?.close();
  }
}

async function rssBytes(child: Child): Promise<number> {
  const status = await readFile(`/proc/${child.process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** The instances' /metrics answer to this token (set before they start: they inherit it). */
const METRICS_TOKEN = 'soak-metrics-token-0123456789';

/** An instance's JS heap in use and in all, and its external memory (Buffers), from its own /metrics. */
async function heapBytes(url: string): Promise<{ heap: number; heapTotal: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const value = (name: string) => Number(new RegExp(`^laneway_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heap: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main() {
  await withBenchRun({ tickets: 100 }, async ({ log, scope, database, demo }) => {
    const ownerId = demo.users.superadmin!;
    const projects = await createProjects(database.url, ownerId);
    log(`${projects.length} projects of ${TICKETS_PER_PROJECT} tickets; starting two instances with ${REDIS_URL}`);
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const started = await startLaneway(database.url, {
          redisUrl: REDIS_URL,
          maxFiles: 65_536,
          nodeArgs: NODE_ARGS,
        });
        scope.own(started.child);
        return started;
      }),
    );
    const token = await login(instances[0]!.url, demo.password);

    log(`opening ${SOCKETS} sockets`);
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < SOCKETS; i += 100) {
      const batch = Array.from({ length: Math.min(100, SOCKETS - i) }, (_, k) => {
        const n = i + k;
        return new Subscriber(instances[n % 2]!.url, token, projects[n % projects.length]!.topic);
      });
      await Promise.all(batch.map((s) => s.open()));
      subscribers.push(...batch);
    }

    const latencies: number[] = [];
    const answers = new Map<number | string, number>();
    const failures: string[] = [];
    let inFlight = 0;
    let skipped = 0;
    const move = async () => {
      const project = projects[Math.floor(Math.random() * projects.length)]!;
      const ticket = project.tickets[Math.floor(Math.random() * project.tickets.length)]!;
      const column = project.columns[Math.floor(Math.random() * project.columns.length)]!;
      const base = instances[Math.floor(Math.random() * 2)]!.url;
      inFlight++;
      const started = performance.now();
      let status: number | string;
      try {
        const res = await fetch(`${base}/api/tickets/tickets/${ticket}/move/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ column }),
        });
        status = res.status;
        if (status === 200) await res.arrayBuffer();
        latencies.push(performance.now() - started);
        if (res.status !== 200 && failures.length < 5) failures.push(`${res.status} ${await res.text()}`.slice(0, 300));
      } catch (error) {
        status = error instanceof Error ? error.message.slice(0, 40) : 'failed';
      } finally {
        inFlight--;
      }
      answers.set(status, (answers.get(status) ?? 0) + 1);
    };

    const rss: {
      at: number;
      bytes: number[];
      heaps: { heap: number; heapTotal: number; external: number }[];
      behind: number;
    }[] = [];
    const seqs = await benchSql(database.url);
    /** Events committed but not yet read by the sockets, summed: the clients' lag behind the server. */
    const behind = async () => {
      const latest = new Map(
        (
          await seqs<{ topic: string; seq: string }[]>`select topic, seq from topic_seqs where topic like 'project:%'`
        ).map((r) => [r.topic, Number(r.seq)]),
      );
      return subscribers.reduce((n, x) => n + Math.max(0, (latest.get(x.topic) ?? 0) - x.last), 0);
    };
    const sample = async (at: number) =>
      rss.push({
        at,
        bytes: await Promise.all(instances.map((x) => rssBytes(x.child))),
        heaps: await Promise.all(instances.map((x) => heapBytes(x.url))),
        behind: await behind(),
      });
    const durationMs = MINUTES * 60_000;
    log(`moving ${RATE}/s for ${MINUTES} min; RSS every ${SAMPLE_EVERY_MS / 1000} s`);
    const start = performance.now();
    await sample(0);
    let nextSample = SAMPLE_EVERY_MS;
    let sent = 0;
    // Paced by the clock: after a slow tick, catch up, within the in-flight cap.
    while (performance.now() - start < durationMs) {
      const elapsed = performance.now() - start;
      const due = Math.floor((elapsed / 1000) * RATE);
      while (sent < due) {
        sent++;
        if (inFlight >= MAX_IN_FLIGHT) skipped++;
        else void move();
      }
      if (elapsed >= nextSample) {
        await sample(nextSample);
        log(
          `${fmt(nextSample / 1000)} s: RSS ${rss
            .at(-1)!
            .bytes.map((b) => fmt(b / 2 ** 20, 1))
            .join(' / ')} MB, heap ${rss
            .at(-1)!
            .heaps.map((h) => fmt(h.heap / 2 ** 20, 1))
            .join(' / ')} MB, ` + `${fmt(latencies.length)} moves, ${fmt(rss.at(-1)!.behind)} events not yet read`,
        );
        nextSample += SAMPLE_EVERY_MS;
      }
      await sleep(10);
    }
    while (inFlight > 0) await sleep(50);
    // Let the last events arrive (until nothing came for 5 s, at most 2 minutes), then compare
    // every socket with its topic's latest seq: what is still missing then never came.
    const drainStart = performance.now();
    let seen = -1;
    for (;;) {
      const now = subscribers.reduce((n, x) => n + x.received, 0);
      if (now === seen || performance.now() - drainStart > 120_000) break;
      seen = now;
      await sleep(5_000);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await seqs.end({ timeout: 5 });
    const sql = await benchSql(database.url);
    const latest = new Map(
      (await sql<{ topic: string; seq: string }[]>`select topic, seq from topic_seqs where topic like 'project:%'`).map(
        (r) => [r.topic, Number(r.seq)],
      ),
    );
    await sql.end({ timeout: 5 });
    let lost = 0;
    let missing = 0;
    let duplicated = 0;
    let received = 0;
    let closes = 0;
    for (const s of subscribers) {
      lost += s.lost;
      missing += Math.max(0, (latest.get(s.topic) ?? 0) - s.last);
      duplicated += s.duplicated;
      received += s.received;
      closes += s.closes;
      s.close();
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const baseline = rss.filter((r) => r.at <= BASELINE_MS).at(-1)!;
    const last = rss.at(-1)!;
    const growth = instances.map((_, i) => (last.bytes[i]! / baseline.bytes[i]! - 1) * 100);
    // One sample is one point of a curve that swings by a hundred MB as the heap grows and is
    // collected: peak against peak, the highest in the window after the baseline against the
    // highest in the window that ends the run, says whether the ceiling rises.
    const windowMs = Math.min(5 * 60_000, (last.at - baseline.at) / 2);
    const peak = (from: number, to: number, i: number) =>
      Math.max(...rss.filter((r) => r.at >= from && r.at <= to).map((r) => r.bytes[i]!));
    const peakGrowth = instances.map(
      (_, i) => (peak(last.at - windowMs, last.at, i) / peak(baseline.at, baseline.at + windowMs, i) - 1) * 100,
    );
    console.log(
      `# Soak: ${MINUTES} min, ${SOCKETS} sockets on ${projects.length} projects, ${RATE} moves/s, 2 instances + Redis\n`,
    );
    console.log(
      markdownTable(
        ['measure', 'value', 'target', 'met'],
        [
          ['events lost (seq skipped in the stream)', fmt(lost), '0', lost === 0 ? 'yes' : 'NO'],
          [
            `events never received (after a ${fmt(drainSeconds)} s drain)`,
            fmt(missing),
            '0',
            missing === 0 ? 'yes' : 'NO',
          ],
          ['events duplicated', fmt(duplicated), '0', duplicated === 0 ? 'yes' : 'NO'],
          ['events received', fmt(received), '—', ''],
          ['sockets dropped and resumed', fmt(closes), '—', ''],
          [
            'moves answered',
            [...answers].map(([k, v]) => `${k}: ${fmt(v)}`).join(', '),
            'all 200',
            answers.size === 1 && answers.has(200) ? 'yes' : 'NO',
          ],
          ['moves skipped (client behind)', fmt(skipped), '0', skipped === 0 ? 'yes' : 'NO'],
          ['move p50 / p99', `${fmt(percentile(sorted, 50), 1)} / ${fmt(percentile(sorted, 99), 1)} ms`, '—', ''],
          ...growth.map((g, i) => [
            `RSS growth, instance ${i + 1}, from ${fmt(baseline.at / 1000)} s`,
            `${fmt(g, 1)} %`,
            '< 5 %',
            g < 5 ? 'yes' : 'NO',
          ]),
          ...peakGrowth.map((g, i) => [
            `RSS peak growth, instance ${i + 1}: highest of ${fmt(baseline.at / 1000)}-${fmt((baseline.at + windowMs) / 1000)} s → of the last ${fmt(windowMs / 1000)} s`,
            `${fmt(g, 1)} %`,
            '< 5 %',
            g < 5 ? 'yes' : 'NO',
          ]),
          ...instances.map((_, i) => [
            `JS heap used, instance ${i + 1}, at ${fmt(baseline.at / 1000)} s → end`,
            `${fmt(baseline.heaps[i]!.heap / 2 ** 20, 1)} → ${fmt(last.heaps[i]!.heap / 2 ** 20, 1)} MB`,
            '—',
            '',
          ]),
        ],
      ),
    );
    if (failures.length) {
      console.log(`\nFirst failed moves:\n\n${failures.map((f) => `- ${f}`).join('\n')}`);
      // The instances' own account of them: their last error lines (LOG_LEVEL=warn keeps them).
      for (const [i, instance] of instances.entries()) {
        const errors = instance.child
          .output()
          .split('\n')
          .filter((line) => line.includes('"level":50'));
        if (errors.length) console.log(`\ninstance ${i + 1}, last errors:\n\n${errors.slice(-3).join('\n')}`);
      }
    }
    // The JS heap beside RSS tells a leak of objects (the heap in use grows with it) from V8
    // keeping a larger heap (heap in all grows) and from the allocator keeping freed pages (the
    // rest grows: RSS less the heap in all and external memory).
    const mb = (b: number) => fmt(b / 2 ** 20, 1);
    console.log('\nMemory (MB) every 30 s: RSS / JS heap used / JS heap in all / external, per instance:\n');
    console.log(
      markdownTable(
        ['t (s)', ...instances.map((_, i) => `instance ${i + 1}`), 'events not yet read'],
        rss.map((r) => [
          fmt(r.at / 1000),
          ...r.bytes.map(
            (b, i) => `${mb(b)} / ${mb(r.heaps[i]!.heap)} / ${mb(r.heaps[i]!.heapTotal)} / ${mb(r.heaps[i]!.external)}`,
          ),
          fmt(r.behind),
        ]),
      ),
    );
  });
}

runMain(main);
