/**
 * `npm run bench` / `npm run bench:api`: HTTP throughput and latency of Laneway's hot paths,
 * against a bare `node:http` floor measured the same way, in one run.
 *
 *   floor     GET /health on a bare node:http server (same response headers as Laneway's)
 *   health    GET /health on Laneway (the framework's own cost: no I/O)
 *   board     GET /api/tickets/projects/{id}/board/ of a 1,000-ticket project (Bearer token)
 *   board-depth  the same board once every ticket has 5 custom field values and a 3-item checklist
 *   list-filter  GET /api/tickets/tickets/?project=&field_<select>= over a 100,000-ticket project
 *   moves-floor  the SQL of a move (read + write statement) from a bare postgres.js client, 50 at once
 *   moves     POST /api/tickets/tickets/{id}/move/, every request a different ticket and target
 *   mixed     board reads and moves at once (board cache invalidated by every move); info only
 *
 * Both servers run as child processes and the load generator (autocannon) runs here, so each
 * is measured alike. The database is a fresh `laneway_bench_<pid>` on BENCH_DATABASE_URL or
 * DATABASE_URL's server, else on the machine's PostgreSQL at 127.0.0.1:5432, else an embedded
 * PostgreSQL in a temporary folder; it is seeded with the demo data and dropped at the end.
 *
 * Knobs (environment): BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_WARMUP
 * (s, 2), BENCH_TICKETS (1000), BENCH_ONLY (comma list of scenarios), BENCH_MIXED=0 (skip
 * mixed), BENCH_MOVES=end|after|mixed (where moves drop cards), BENCH_EMBEDDED=1 (use an
 * embedded PostgreSQL even when another is available), BENCH_REDIS_URL (run the server with Redis), BENCH_CPU_PROF=<dir> (V8 CPU profile of the server), BENCH_JSON=<file>
 * (results as JSON). Benchmarks are reported, not asserted: the exit code is 0 even when a target is missed.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '@laneway/db/client';
import autocannon from 'autocannon';
import {
  type BoardBody,
  type BenchScope,
  type Child,
  cpuTimeMs,
  fetchBoard,
  fmt,
  freePort,
  login,
  markdownTable,
  numberFromEnv,
  runMain,
  startChild,
  startLaneway,
  withBenchRun,
} from './lib.ts';

/**
 * Laneway's /health response headers (hono secureHeaders + requestId + JSON), so the floor
 * answers the same bytes and the ratio measures the framework, not the header count.
 */
const FLOOR_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** `node bench/api.ts --floor <port>`: the floor server, run as its own process. */
function runFloor(port: number): void {
  const body = Buffer.from('{"status":"ok"}');
  const server = createServer((_req, res) => {
    res.writeHead(200, { ...FLOOR_HEADERS, 'x-request-id': randomUUID(), 'content-length': body.length });
    res.end(body);
  });
  server.listen(port, '127.0.0.1', () => process.send?.('listening'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------- configuration

const SCENARIOS = [
  'floor',
  'health',
  'board',
  'board-depth',
  'list-filter',
  'moves-floor',
  'moves',
  'moves-20-floor',
  'moves-20',
  'mixed',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

function moveModeFromEnv(): MoveMode {
  const mode = process.env.BENCH_MOVES || 'mixed';
  if (mode !== 'end' && mode !== 'after' && mode !== 'mixed')
    throw new Error('BENCH_MOVES must be end, after or mixed');
  return mode;
}

function loadSettings() {
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only) {
    if (!SCENARIOS.includes(name as ScenarioName)) throw new Error(`BENCH_ONLY: unknown scenario "${name}"`);
  }
  const enabled = new Set<ScenarioName>(only.length ? (only as ScenarioName[]) : SCENARIOS);
  if (!only.length && process.env.BENCH_MIXED === '0') enabled.delete('mixed');
  // health's target is a ratio to the floor: measure the floor whenever health runs.
  if (enabled.has('health')) enabled.add('floor');
  // moves' target is a ratio to its own floor: the same SQL from a bare client (bench/moves-floor.ts).
  if (enabled.has('moves')) enabled.add('moves-floor');
  if (enabled.has('moves-20')) enabled.add('moves-20-floor');
  return {
    duration: numberFromEnv('BENCH_DURATION', 10, 1),
    connections: Math.round(numberFromEnv('BENCH_CONNECTIONS', 50, 1)),
    warmup: numberFromEnv('BENCH_WARMUP', 2, 0),
    tickets: Math.round(numberFromEnv('BENCH_TICKETS', 1000, 1)),
    enabled,
    cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null,
    jsonFile: process.env.BENCH_JSON ? path.resolve(process.env.BENCH_JSON) : null,
    redisUrl: process.env.BENCH_REDIS_URL || undefined,
    moveMode: moveModeFromEnv(),
  };
}
type Settings = ReturnType<typeof loadSettings>;

// ---------------------------------------------------------------- child processes

async function startFloor(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = startChild(
    'floor server',
    [fileURLToPath(import.meta.url), '--floor', String(port)],
    process.env,
    true,
  );
  await new Promise<void>((resolve, reject) => {
    child.process.once('message', () => resolve());
    child.process.once('exit', (code) => reject(new Error(`floor server exited (${code}): ${child.output()}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------- moves

/** Where moves drop cards: the end of the target column, after a random card there, or both. */
type MoveMode = 'end' | 'after' | 'mixed';

interface MoveContext {
  ticket?: number;
  target?: number;
  after?: number;
  /** Which project's planner handed the move out (`SpreadPlanner`). */
  planner?: number;
}

/** What hands out moves to autocannon and hears their answers. */
interface Planner {
  next(context: MoveContext): { path: string; body: string };
  done(status: number, responseBody: string, context: MoveContext): void;
}

/**
 * Hands out moves so that no ticket is moved by two requests at once (the server would answer
 * 409 to the loser) and no named neighbour moves away while a request relies on it. Half of the
 * moves go to the end of another column, half directly after a random card of that column.
 */
class MovePlanner implements Planner {
  readonly #columns: number[];
  readonly #tickets: number[];
  /** Column index of each ticket as of its last acknowledged move. */
  readonly #columnOf = new Map<number, number>();
  /** Tickets per column, for neighbour picks (swap-remove arrays). */
  readonly #members: number[][];
  readonly #slot = new Map<number, number>();
  readonly #moving = new Set<number>();
  readonly #pinned = new Map<number, number>();
  #cursor = 0;
  #seed = 12_345;
  moved = 0;
  failed = 0;
  readonly failures = new Map<string, number>();

  readonly #mode: MoveMode;

  constructor(columnIds: number[], placement: { id: number; column: number }[], mode: MoveMode = 'mixed') {
    this.#mode = mode;
    this.#columns = columnIds;
    this.#members = columnIds.map(() => []);
    this.#tickets = placement.map((p) => p.id);
    for (const p of placement) this.#place(p.id, columnIds.indexOf(p.column));
  }

  get size(): number {
    return this.#tickets.length;
  }

  #random(n: number): number {
    this.#seed = (Math.imul(this.#seed, 1_103_515_245) + 12_345) >>> 0;
    return (this.#seed >>> 8) % n;
  }

  #place(ticket: number, column: number) {
    this.#columnOf.set(ticket, column);
    this.#slot.set(ticket, this.#members[column]!.length);
    this.#members[column]!.push(ticket);
  }

  #remove(ticket: number) {
    const column = this.#columnOf.get(ticket)!;
    const list = this.#members[column]!;
    const at = this.#slot.get(ticket)!;
    const last = list.pop()!;
    if (last !== ticket) {
      list[at] = last;
      this.#slot.set(last, at);
    }
  }

  next(context: MoveContext): { path: string; body: string } {
    let ticket: number | undefined;
    for (let tries = 0; tries < this.#tickets.length; tries++) {
      const candidate = this.#tickets[this.#cursor]!;
      this.#cursor = (this.#cursor + 1) % this.#tickets.length;
      if (!this.#moving.has(candidate) && !this.#pinned.has(candidate)) {
        ticket = candidate;
        break;
      }
    }
    if (ticket === undefined) throw new Error('every ticket is busy: use more tickets or fewer connections');
    const from = this.#columnOf.get(ticket)!;
    const to = (from + 1 + this.#random(this.#columns.length - 1)) % this.#columns.length;
    let after: number | undefined;
    const members = this.#members[to]!;
    const neighbour = this.#mode === 'after' || (this.#mode === 'mixed' && this.#random(2) === 0);
    if (members.length && neighbour) {
      for (let tries = 0; tries < 4 && after === undefined; tries++) {
        const candidate = members[this.#random(members.length)]!;
        if (!this.#moving.has(candidate)) after = candidate;
      }
    }
    this.#moving.add(ticket);
    if (after !== undefined) this.#pinned.set(after, (this.#pinned.get(after) ?? 0) + 1);
    context.ticket = ticket;
    context.target = to;
    context.after = after;
    const body: Record<string, number> = { column: this.#columns[to]! };
    if (after !== undefined) body.after = after;
    return { path: `/api/tickets/tickets/${ticket}/move/`, body: JSON.stringify(body) };
  }

  done(status: number, responseBody: string, context: MoveContext): void {
    const { ticket, target, after } = context;
    if (ticket === undefined || target === undefined) return;
    this.#moving.delete(ticket);
    if (after !== undefined) {
      const n = (this.#pinned.get(after) ?? 1) - 1;
      if (n > 0) this.#pinned.set(after, n);
      else this.#pinned.delete(after);
    }
    if (status >= 200 && status < 300) {
      this.moved++;
      this.#remove(ticket);
      this.#place(ticket, target);
    } else {
      this.failed++;
      let code = String(status);
      try {
        const error = (JSON.parse(responseBody) as { error?: { code?: string; message?: string } }).error;
        code += ` ${error?.code ?? ''} "${error?.message?.slice(0, 80) ?? ''}"`;
      } catch {
        // not JSON
      }
      this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
    }
  }
}

// ---------------------------------------------------------------- load

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

interface Measurement {
  scenario: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Server process CPU time (user + system) per request, in microseconds; null when unknown. */
  cpuUsPerRequest: number | null;
  note?: string;
}

function measurement(scenario: string, { result, cpuMs }: Run, note?: string): Measurement {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const m: Measurement = {
    scenario,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    statusCodes,
    cpuUsPerRequest: cpuMs === null || !result.requests.total ? null : (cpuMs * 1000) / result.requests.total,
  };
  if (note) m.note = note;
  return m;
}

type LoadOptions = Omit<autocannon.Options, 'duration'>;

interface Run {
  result: autocannon.Result;
  /** CPU the server process used during the measured run (not the warm-up), in ms. */
  cpuMs: number | null;
}

/** Runs a short warm-up (discarded), then the measured run, timing the server's CPU. */
async function measure(settings: Settings, options: LoadOptions, server?: Child): Promise<Run> {
  if (settings.warmup > 0) await cannon({ ...options, duration: settings.warmup });
  const before = await cpuTimeMs(server?.process.pid);
  const result = await cannon({ ...options, duration: settings.duration });
  const after = await cpuTimeMs(server?.process.pid);
  return { result, cpuMs: before === null || after === null ? null : after - before };
}

/** Moves over several projects: each request takes the next project's next move, in turn. */
class SpreadPlanner implements Planner {
  readonly #planners: MovePlanner[];
  #turn = 0;

  constructor(planners: MovePlanner[]) {
    this.#planners = planners;
  }

  next(context: MoveContext): { path: string; body: string } {
    const k = this.#turn;
    this.#turn = (k + 1) % this.#planners.length;
    context.planner = k;
    return this.#planners[k]!.next(context);
  }

  done(status: number, responseBody: string, context: MoveContext): void {
    if (context.planner !== undefined) this.#planners[context.planner]!.done(status, responseBody, context);
  }

  /** How many tickets the k-th project's planner moves. */
  tickets(k: number): number {
    return this.#planners[k]!.size;
  }

  get failures(): Map<string, number> {
    const all = new Map<string, number>();
    for (const p of this.#planners) for (const [code, n] of p.failures) all.set(code, (all.get(code) ?? 0) + n);
    return all;
  }
}

function moveRequests(planner: Planner, token: string): autocannon.Request[] {
  return [
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      setupRequest: (request, context) => ({ ...request, ...planner.next(context as MoveContext) }),
      onResponse: (status, body, context) => planner.done(status, body, context as MoveContext),
    },
  ];
}

/** After the moves: every ticket still on the board once, keys strictly increasing per column. */
function checkBoard(board: BoardBody, expected: number): string {
  const seen = new Set<number>();
  for (const column of board.columns) {
    for (let i = 0; i < column.tickets.length; i++) {
      const t = column.tickets[i]!;
      if (seen.has(t.id)) return `ticket ${t.id} appears twice`;
      seen.add(t.id);
      const prev = column.tickets[i - 1];
      if (prev && !(prev.position < t.position)) return `column ${column.id}: keys out of order at ticket ${t.id}`;
    }
  }
  return seen.size === expected ? 'ok' : `${seen.size} tickets on the board, expected ${expected}`;
}

// ---------------------------------------------------------------- report

interface Row extends Measurement {
  ratio: number | null;
  target: string;
  pass: boolean | null;
}

function evaluate(m: Measurement, floors: Map<string, Measurement>): Row {
  const base =
    m.scenario === 'moves' || m.scenario === 'moves-20'
      ? floors.get(`${m.scenario}-floor`)
      : m.scenario.endsWith('-floor')
        ? undefined
        : floors.get('floor');
  const ratio = base && base.reqPerSec > 0 ? m.reqPerSec / base.reqPerSec : null;
  const clean = m.errors === 0;
  switch (m.scenario) {
    case 'health':
      return { ...m, ratio, target: '≥ 0.8× floor, 0 errors', pass: ratio !== null && ratio >= 0.8 && clean };
    case 'board':
      return { ...m, ratio, target: '≥ 1,000 req/s, 0 errors', pass: m.reqPerSec >= 1000 && clean };
    case 'moves':
      return {
        ...m,
        ratio,
        target: '≥ 0.8× moves-floor, ≥ 1,500/s, p99 ≤ 30 ms, 0 errors',
        pass: ratio !== null && ratio >= 0.8 && m.reqPerSec >= 1500 && m.p99 <= 30 && clean,
      };
    case 'moves-20':
      return { ...m, ratio, target: '≥ 0.8× moves-20-floor, 0 errors', pass: ratio !== null && ratio >= 0.8 && clean };
    default:
      return { ...m, ratio, target: '—', pass: null };
  }
}

function table(rows: Row[]): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors/non-2xx',
    'vs floor',
    'server CPU/req',
    'target',
    'result',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    fmt(r.reqPerSec),
    // autocannon's latency histogram has 1 ms resolution.
    fmt(r.p50),
    fmt(r.p99),
    r.errors ? `${fmt(r.errors)} of ${fmt(r.requests)}` : '0',
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.cpuUsPerRequest === null ? '—' : `${fmt(r.cpuUsPerRequest)} µs`,
    r.target,
    r.pass === null ? 'info' : r.pass ? 'pass' : '**FAIL**',
  ]);
  return markdownTable(header, lines);
}

// ---------------------------------------------------------------- main

/** POSTs as the bench user and returns the JSON answer (fails loudly on anything but `status`). */
async function post<T>(baseUrl: string, token: string, path: string, body: unknown, status = 201): Promise<T> {
  const res = await fetch(`${baseUrl}/api/tickets${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== status) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface BenchField {
  id: number;
  options: { id: number }[];
}

/** The five custom fields of the depth scenarios: a select of 12 options, text, number, checkbox, date. */
async function createDepthFields(baseUrl: string, token: string, projectId: number): Promise<BenchField[]> {
  const specs = [
    { name: 'Team', type: 'select', options: Array.from({ length: 12 }, (_, i) => ({ label: `Team ${i + 1}` })) },
    { name: 'Note', type: 'text' },
    { name: 'Estimate', type: 'number', show_on_card: true },
    { name: 'Billable', type: 'checkbox' },
    { name: 'Promised', type: 'date' },
  ];
  const out: BenchField[] = [];
  for (const spec of specs) {
    out.push(await post<BenchField>(baseUrl, token, `/projects/${projectId}/fields/`, { ...spec, show_on_card: true }));
  }
  return out;
}

/** Every ticket of a project gets a value for each field (in SQL: the API path is measured elsewhere). */
function fieldValuesSql(fields: BenchField[]): string {
  const [team, note, estimate, billable, promised] = fields.map((f) => f.id);
  const options = `array[${fields[0]!.options.map((o) => o.id).join(',')}]`;
  return `jsonb_build_object(
    '${team}', (${options})[1 + (t.number * 7) % 12],
    '${note}', 'Customer called about item ' || t.number,
    '${estimate}', t.number % 13,
    '${billable}', t.number % 2 = 0,
    '${promised}', to_char(date '2026-01-01' + (t.number % 365), 'YYYY-MM-DD'))`;
}

// ---------------------------------------------------------------- moves over projects of their own

/**
 * `count` projects (keys `<prefix>1`…) made through the API (default columns, the caller as
 * superadmin), with `tickets` tickets in all spread over them, each column a quarter of them;
 * reporters, assignees and members copied from the demo project, ticket by ticket number, so a
 * move into done tells as many people as one on the demo board.
 */
async function moveProjects(
  baseUrl: string,
  token: string,
  databaseUrl: string,
  demo: { projectId: number },
  prefix: string,
  count: number,
  tickets: number,
): Promise<number[]> {
  const ids: number[] = [];
  for (let k = 1; k <= count; k++) {
    ids.push(
      (await post<{ id: number }>(baseUrl, token, '/projects/', { name: `${prefix} ${k}`, key: `${prefix}${k}` })).id,
    );
  }
  const each = Math.ceil(tickets / count);
  const { sql } = createDb(databaseUrl, { max: 1, applicationName: 'bench' });
  try {
    for (const [k, projectId] of ids.entries()) {
      const offset = k * each;
      const n = Math.min(each, tickets - offset);
      // Valid fractional-index keys (a fraction may not end in 0), ascending with n.
      await sql.unsafe(`insert into tickets (project_id, number, title, column_id, position, status)
        select ${projectId}, n, 'Ticket ' || n, c.id, 'a' || lpad(n::text, 6, '0') || 'V', c.category
        from generate_series(1, ${n}) n
        join lateral (select id, category from columns where project_id = ${projectId}
          order by position offset (n % 4) limit 1) c on true`);
      await sql.unsafe(`insert into user_roles (project_id, user_id, role)
        select ${projectId}, user_id, role from user_roles where project_id = ${demo.projectId}
        on conflict do nothing`);
      await sql.unsafe(`update tickets f set reporter_id = d.reporter_id from tickets d
        where f.project_id = ${projectId} and d.project_id = ${demo.projectId} and d.number = f.number + ${offset}`);
      await sql.unsafe(`insert into ticket_assignees (ticket_id, user_id)
        select f.id, a.user_id from tickets f
        join tickets d on d.project_id = ${demo.projectId} and d.number = f.number + ${offset}
        join ticket_assignees a on a.ticket_id = d.id
        where f.project_id = ${projectId}`);
    }
    await sql.unsafe('analyze tickets');
  } finally {
    await sql.end();
  }
  return ids;
}

/** bench/moves-floor.ts over these projects, in its own process: the floor of `moves` and `moves-20`. */
async function movesFloor(
  databaseUrl: string,
  projects: number[],
  actorId: number,
  settings: Settings,
  scope: BenchScope,
  scenario: string,
): Promise<Measurement> {
  const child = startChild(
    'moves floor',
    [
      fileURLToPath(new URL('./moves-floor.ts', import.meta.url)),
      databaseUrl,
      projects.join(','),
      String(actorId),
      String(settings.connections),
      String(settings.warmup),
      String(settings.duration),
    ],
    process.env,
    true,
  );
  scope.own(child);
  const out = await new Promise<{
    moves: number;
    total: number;
    p50: number;
    p99: number;
    errors: number;
    firstError: string;
  }>((resolve, reject) => {
    child.process.once('message', (m) => resolve(m as never));
    child.process.once('exit', (code) => reject(new Error(`moves floor exited (${code}): ${child.output()}`)));
  });
  return {
    scenario,
    reqPerSec: out.moves,
    p50: out.p50,
    p99: out.p99,
    requests: out.total,
    errors: out.errors,
    statusCodes: {},
    cpuUsPerRequest: null,
    note:
      'a move’s two statements (read; write of ticket, activity, seq, event and, into done, the ' +
      `notifications) from a bare postgres.js client, pool of 20, each to the end of another column` +
      `${projects.length > 1 ? `, over ${projects.length} projects` : ''}` +
      `${out.firstError ? `; first error: ${out.firstError}` : ''}`,
  };
}

/** A planner per project, from the tickets' places as stored. */
async function plannersOf(databaseUrl: string, projects: number[], mode: MoveMode): Promise<MovePlanner[]> {
  const { sql } = createDb(databaseUrl, { max: 1, applicationName: 'bench' });
  try {
    const planners: MovePlanner[] = [];
    for (const projectId of projects) {
      const columns = await sql<{ id: number }[]>`
        select id from columns where project_id = ${projectId} order by position`;
      const placement = await sql<{ id: number; column: number }[]>`
        select id, column_id as column from tickets where project_id = ${projectId} order by column_id, position`;
      planners.push(
        new MovePlanner(
          columns.map((c) => c.id),
          [...placement],
          mode,
        ),
      );
    }
    return planners;
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  const settings = loadSettings();
  await withBenchRun({ tickets: settings.tickets }, async ({ log, scope, database, demo, loadBefore, elapsed }) => {
    log(`seeded ${demo.ticketIds.length} tickets in ${demo.columnIds.length} columns`);

    const lanewayServer = await startLaneway(database.url, settings);
    const laneway = scope.own(lanewayServer.child);
    const floorServer = settings.enabled.has('floor') ? await startFloor() : null;
    scope.own(floorServer?.child ?? null);
    const token = await login(lanewayServer.url, demo.password);
    const { board, bytes } = await fetchBoard(lanewayServer.url, token, demo.projectId);
    const placement = board.columns.flatMap((c) => c.tickets.map((t) => ({ id: t.id, column: c.id })));
    log(`ready in ${elapsed().toFixed(1)} s; board ${fmt(bytes / 1024)} KiB`);

    const base = { connections: settings.connections, timeout: 10 };
    // Browsers always offer compression; a server that compresses the board gets the credit.
    const auth = { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, deflate, br' };
    const boardPath = `/api/tickets/projects/${demo.projectId}/board/`;
    const results: Measurement[] = [];
    const planner = new MovePlanner(demo.columnIds, placement, settings.moveMode);
    /** The planners of moves-20, kept for the report's failed moves. */
    const spreads: SpreadPlanner[] = [];
    /** moves-20's projects and their tickets, for the check of their boards after the moves. */
    const spreadProjects = new Map<number, number>();
    const step = async (name: ScenarioName, run: () => Promise<Measurement | Measurement[]>) => {
      if (!settings.enabled.has(name)) return;
      log(
        `running ${name} (${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s)`,
      );
      const out = await run();
      results.push(...(Array.isArray(out) ? out : [out]));
    };

    await step('floor', async () =>
      measurement('floor', await measure(settings, { ...base, url: `${floorServer!.url}/health` }, floorServer!.child)),
    );
    await step('health', async () =>
      measurement(
        'health',
        await measure(settings, { ...base, url: `${lanewayServer.url}/health` }, lanewayServer.child),
      ),
    );
    await step('board', async () =>
      measurement(
        'board',
        await measure(
          settings,
          { ...base, url: `${lanewayServer.url}${boardPath}`, headers: auth },
          lanewayServer.child,
        ),
        `${fmt(bytes / 1024)} KiB of JSON per board, no writes meanwhile (a server-side board cache stays valid)`,
      ),
    );
    // The same board with 5 custom fields on every ticket and a 3-item checklist on every ticket.
    await step('board-depth', async () => {
      const { sql } = createDb(database.url, { max: 1, applicationName: 'bench' });
      try {
        const fields = await createDepthFields(lanewayServer.url, token, demo.projectId);
        await sql.unsafe(
          `update tickets t set fields = ${fieldValuesSql(fields)} where t.project_id = ${demo.projectId}`,
        );
        await sql.unsafe(`insert into checklist_items (ticket_id, text, done, position)
          select t.id, 'Step ' || n, n <= t.number % 4, 'a' || n from tickets t, generate_series(1, 3) n
          where t.project_id = ${demo.projectId}`);
      } finally {
        await sql.end();
      }
      // A change through the API moves the project's seq, so the cached board is read afresh.
      await post(lanewayServer.url, token, `/projects/${demo.projectId}/fields/`, { name: 'Seq bump', type: 'text' });
      const deep = await fetchBoard(lanewayServer.url, token, demo.projectId);
      return measurement(
        'board-depth',
        await measure(
          settings,
          { ...base, url: `${lanewayServer.url}${boardPath}`, headers: auth },
          lanewayServer.child,
        ),
        `${fmt(deep.bytes / 1024)} KiB of JSON per board (${fmt(bytes / 1024)} KiB without fields and checklists): ` +
          `5 custom fields with values and a 3-item checklist on each ticket`,
      );
    });
    // GET /tickets/?project=&field_<select>= over a project of 100,000 tickets (1 in 12 match).
    await step('list-filter', async () => {
      const project = await post<{ id: number }>(lanewayServer.url, token, '/projects/', {
        name: 'Bench 100k',
        key: 'BIG',
      });
      const fields = await createDepthFields(lanewayServer.url, token, project.id);
      const { sql } = createDb(database.url, { max: 1, applicationName: 'bench' });
      try {
        const [column] = await sql<{ id: number }[]>`
          select id from columns where project_id = ${project.id} order by position limit 1`;
        await sql.unsafe(`insert into tickets (project_id, number, title, column_id, position, status)
          select ${project.id}, n, 'Ticket ' || n, ${column!.id}, 'a' || lpad(n::text, 6, '0') || 'V', 'todo'
          from generate_series(1, 100000) n`);
        await sql.unsafe(`update tickets t set fields = ${fieldValuesSql(fields)} where t.project_id = ${project.id}`);
        await sql.unsafe('analyze tickets');
      } finally {
        await sql.end();
      }
      const option = fields[0]!.options[3]!.id;
      const url = `${lanewayServer.url}/api/tickets/tickets/?project=${project.id}&field_${fields[0]!.id}=${option}`;
      return measurement(
        'list-filter',
        // One client at a time: the latency of the query itself, not of a queue of 50.
        await measure(settings, { ...base, connections: 1, url, headers: auth }, lanewayServer.child),
        'GET /tickets/?project=&field_<select>=<option> over 100,000 tickets (8,333 match; a page of 50 with ' +
          'the count), one connection',
      );
    });
    // The floor of the moves: their SQL from a bare postgres.js client in its own process, on a
    // project of its own with as many tickets (the planner keeps track of the demo project's).
    await step('moves-floor', async () => {
      const projects = await moveProjects(lanewayServer.url, token, database.url, demo, 'FLR', 1, settings.tickets);
      return movesFloor(database.url, projects, demo.users.superadmin!, settings, scope, 'moves-floor');
    });
    await step('moves', async () => {
      const run = await measure(
        settings,
        {
          ...base,
          url: lanewayServer.url,
          requests: moveRequests(planner, token),
        },
        lanewayServer.child,
      );
      const how = {
        mixed: 'half to the end of another column, half right after a random card of it',
        end: 'each to the end of another column',
        after: 'each right after a random card of another column',
      }[settings.moveMode];
      return measurement('moves', run, how);
    });
    // The same moves spread over 20 projects (as many tickets in all): no project's seq row is
    // the one every move waits for.
    await step('moves-20-floor', async () => {
      const projects = await moveProjects(lanewayServer.url, token, database.url, demo, 'FLS', 20, settings.tickets);
      return movesFloor(database.url, projects, demo.users.superadmin!, settings, scope, 'moves-20-floor');
    });
    await step('moves-20', async () => {
      const projects = await moveProjects(lanewayServer.url, token, database.url, demo, 'SPR', 20, settings.tickets);
      const spread = new SpreadPlanner(await plannersOf(database.url, projects, settings.moveMode));
      spreads.push(spread);
      for (const [k, id] of projects.entries()) spreadProjects.set(id, spread.tickets(k));
      const run = await measure(
        settings,
        { ...base, url: lanewayServer.url, requests: moveRequests(spread, token) },
        lanewayServer.child,
      );
      return measurement('moves-20', run, `as moves, over 20 projects of ${fmt(settings.tickets / 20)} tickets`);
    });
    await step('mixed', async () => {
      const movers = Math.max(1, Math.round(settings.connections / 5));
      const readers = Math.max(1, settings.connections - movers);
      const [reads, moves] = await Promise.all([
        measure(settings, { ...base, connections: readers, url: `${lanewayServer.url}${boardPath}`, headers: auth }),
        measure(settings, {
          ...base,
          connections: movers,
          url: lanewayServer.url,
          requests: moveRequests(planner, token),
        }),
      ]);
      return [
        measurement('mixed: board', reads, `${readers} connections reading while ${movers} move`),
        measurement('mixed: moves', moves, `${movers} connections moving`),
      ];
    });

    let integrity = '';
    if (settings.enabled.has('moves') || settings.enabled.has('mixed')) {
      integrity = checkBoard((await fetchBoard(lanewayServer.url, token, demo.projectId)).board, placement.length);
    }
    for (const [projectId, tickets] of spreadProjects) {
      const found = checkBoard((await fetchBoard(lanewayServer.url, token, projectId)).board, tickets);
      if (found !== 'ok') integrity = `${integrity ? `${integrity}; ` : ''}project ${projectId}: ${found}`;
      else integrity ||= 'ok';
    }
    const loadAfter = os.loadavg()[0]!;
    // The start-up banner is not news; anything else the server printed (warnings) is.
    const serverOutput = laneway
      .output()
      .split('\n')
      .filter((line) => !/^(Laneway is running at | {2}API docs: | {2}data: )/.test(line))
      .join('\n')
      .trim();
    await scope.cleanup();

    const floors = new Map(results.filter((r) => r.scenario.endsWith('floor')).map((r) => [r.scenario, r]));
    const rows = results.map((r) => evaluate(r, floors));
    const cpus = os.cpus();
    console.log(
      [
        '',
        `## Laneway API benchmark`,
        '',
        `${new Date().toISOString()} · Node ${process.version} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} · ${database.label}`,
        `autocannon ${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s per scenario; ` +
          `${fmt(placement.length)}-ticket board (${fmt(bytes / 1024)} KiB); ` +
          `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} at the end`,
        '',
        table(rows),
        '',
        ...rows.filter((r) => r.note).map((r) => `- ${r.scenario}: ${r.note}`),
        ...rows
          .filter((r) => r.errors)
          .map(
            (r) =>
              `- ${r.scenario} status codes: ${Object.entries(r.statusCodes)
                .map(([code, n]) => `${code}×${fmt(n)}`)
                .join(', ')}`,
          ),
        ...(planner.failures.size
          ? [`- failed moves by answer: ${[...planner.failures].map(([code, n]) => `${code}×${fmt(n)}`).join(', ')}`]
          : []),
        ...spreads
          .filter((p) => p.failures.size)
          .map(
            (p) => `- moves-20 failed by answer: ${[...p.failures].map(([code, n]) => `${code}×${fmt(n)}`).join(', ')}`,
          ),
        ...(integrity ? [`- board after the moves: ${integrity}`] : []),
        ...(settings.cpuProfDir ? [`- server CPU profile written to ${settings.cpuProfDir}`] : []),
      ].join('\n'),
    );
    if (serverOutput) console.log(`\nserver output (warn and above):\n${serverOutput.slice(-4000)}`);
    const missed = rows.filter((r) => r.pass === false);
    console.log(
      missed.length
        ? `\nMISSED TARGETS: ${missed.map((r) => `${r.scenario} (${r.target})`).join('; ')}`
        : '\nAll targets met.',
    );
    if (settings.jsonFile) {
      await writeFile(
        settings.jsonFile,
        JSON.stringify(
          { at: new Date().toISOString(), settings: { ...settings, enabled: [...settings.enabled] }, rows },
          null,
          2,
        ),
      );
    }
  });
}

const floorFlag = process.argv.indexOf('--floor');
if (floorFlag !== -1) {
  runFloor(Number(process.argv[floorFlag + 1]));
} else if (import.meta.main) {
  runMain(main);
}
