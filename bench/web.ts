/**
 * `npm run bench:web`: the board as a browser sees it, in Chromium (Debian's, driven by
 * Playwright), against the built web app served by a real Laneway on a bench database seeded
 * with the 1,000-ticket demo project. Each measurement has a floor taken in the same run:
 *
 *   render       navigation start → the 1,000-card board painted and hydrated (median of N
 *                warm loads; floor: the same page's server-rendered HTML and CSS, without its
 *                JavaScript, served from memory → parsed and painted)
 *   remote move  a move made through the REST API by someone else: its event's arrival on the
 *                socket → the card in its new column in the DOM (median of N; floor: parsing the
 *                same message and moving the same element with plain DOM calls, on the floor page)
 *   frames       p95 frame time while moves arrive at 200 events per second (floor: the same
 *                board with no events; an info row gives the static page's frames while the
 *                same moves load the server, the machine's own share on a small box)
 *   JavaScript   every JS file the board page's HTML loads up front (module preloads and start
 *                imports), gzipped (level 6), summed; what it loads after hydration (the live
 *                connection) and on first use (the drag library, when a pointer comes over the
 *                cards) is said beside it, and loaded before the moves and frames, as for a person
 *   10-card      the render of the 1,000-card board against a 10-card project's, measured alike
 *
 * Knobs (environment): BENCH_WEB_RUNS (loads and moves measured, default 7), BENCH_WEB_RATE
 * (events per second, 200), BENCH_WEB_SECONDS (storm length, 5); shared with the other benches:
 * BENCH_DATABASE_URL, BENCH_EMBEDDED, CHROMIUM_PATH. Needs `web/build` (`npm run build -w web`;
 * the npm script builds it when stale). Reported, not asserted: the exit code is 0 even when a
 * target is missed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import {
  type BoardBody,
  fetchBoard,
  fmt,
  login,
  markdownTable,
  numberFromEnv,
  ROOT,
  runMain,
  startLaneway,
  withBenchRun,
} from './lib.ts';

const CLIENT_DIR = path.join(ROOT, 'web', 'build', 'client');
/** The flags the end-to-end tests use (shared/NOTES.md). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Installed in every page before its own scripts: notes when a `ticket.moved` event for the
 * watched ticket arrives on any WebSocket (a listener added at construction runs before the
 * app's `onmessage`), and counts the events received.
 */
function instrument(): void {
  const w = window as unknown as {
    __bench: { watch: number | null; arrivedAt: number; text: string; events: number };
  };
  w.__bench = { watch: null, arrivedAt: 0, text: '', events: 0 };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        const data = event.data as string;
        if (!data.includes('"type":"ticket.')) return;
        w.__bench.events += 1;
        const watch = w.__bench.watch;
        if (watch !== null && data.includes(`"id":${watch},`)) {
          w.__bench.arrivedAt = performance.now();
          w.__bench.text = data;
        }
      });
    }
  };
}

/**
 * The page's time (since navigation start) when the board is hydrated (the floor: parsed) with
 * at least `cards` cards, and the next frame is painted.
 */
async function renderTime(
  page: Page,
  url: string,
  cards: number,
): Promise<{ ready: number; fcp: number; cards: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.evaluate(
    (cards) =>
      new Promise<{ ready: number; fcp: number; cards: number }>((resolve) => {
        const check = () => {
          const hydrated = document.documentElement.dataset.hydrated === 'true' || document.body?.dataset.floor === '1';
          if (hydrated && document.querySelectorAll('[data-testid="card"]').length >= cards) {
            requestAnimationFrame(() => {
              const ready = performance.now();
              const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
              resolve({ ready, fcp, cards: document.querySelectorAll('[data-testid="card"]').length });
            });
            return true;
          }
          return false;
        };
        if (check()) return;
        // The hydration flag is an attribute change; the floor page has no JavaScript to wait for.
        const observer = new MutationObserver(() => {
          if (check()) observer.disconnect();
        });
        observer.observe(document.documentElement, { attributes: true, childList: true, subtree: true });
      }),
    cards,
  );
}

/** Resolves, in the page, with the time a card first sits in a column (a MutationObserver sees it). */
async function watchPlacement(page: Page, ticket: number, column: number): Promise<void> {
  await page.evaluate(
    ({ ticket, column }) => {
      const w = window as unknown as { __bench: { watch: number | null; placedAt: Promise<number> } };
      w.__bench.watch = ticket;
      w.__bench.placedAt = new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          if (document.querySelector(`[data-column-id="${column}"] [data-ticket-id="${ticket}"]`)) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
    },
    { ticket, column },
  );
}

async function placedAfterArrival(page: Page): Promise<{ ms: number; text: string }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __bench: { arrivedAt: number; text: string; placedAt: Promise<number> } };
    const placed = await w.__bench.placedAt;
    return { ms: placed - w.__bench.arrivedAt, text: w.__bench.text };
  });
}

/** The floor of a remote move: the same message parsed and the same element moved by plain DOM calls. */
async function plainMove(page: Page, text: string): Promise<number> {
  return page.evaluate(
    (text) =>
      new Promise<number>((resolve) => {
        setTimeout(() => {
          const started = performance.now();
          const message = JSON.parse(text) as { data: { id: number; column: number } };
          const card = document.querySelector(`[data-ticket-id="${message.data.id}"]`);
          const list = document.querySelector(`[data-column-id="${message.data.column}"] ol`);
          const observer = new MutationObserver(() => {
            observer.disconnect();
            resolve(performance.now() - started);
          });
          observer.observe(document.body, { childList: true, subtree: true });
          if (card && list) list.prepend(card);
        }, 0);
      }),
    text,
  );
}

/** Frame intervals (ms) over `ms`, from requestAnimationFrame. */
async function frameTimes(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (ms) =>
      new Promise<number[]>((resolve) => {
        const times: number[] = [];
        let last = 0;
        const end = performance.now() + ms;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          // A frame still not painted at the end counts as long as it has lasted.
          if (last) times.push(performance.now() - last);
          resolve(times);
        };
        const frame = (now: number) => {
          if (done) return;
          if (last) times.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(frame);
          else finish();
        };
        requestAnimationFrame(frame);
        setTimeout(finish, ms + 1000);
      }),
    ms,
  );
}

/**
 * The floor page: the board page's server-rendered HTML with every card of the board in it
 * (each column's rendered cards repeated, with the real ids, up to the column's real count),
 * without its scripts, with its style sheets inlined.
 */
async function staticBoard(html: string, board: BoardBody): Promise<string> {
  const CARD = /<li\b[^>]*class="card-slot[\s\S]*?<\/article>[\s\S]*?<\/li>/g;
  let page = html.replace(/<section\b[^>]*data-column-id="(\d+)"[\s\S]*?<\/section>/g, (section, id: string) => {
    const tickets = board.columns.find((c) => c.id === Number(id))?.tickets ?? [];
    const cards = section.match(CARD) ?? [];
    if (!cards.length) return section;
    const all = tickets.map((t, i) =>
      cards[i % cards.length]!.replace(/data-ticket-id="\d+"/, `data-ticket-id="${t.id}"`),
    );
    return section.replace(/(<ol\b[^>]*?)(?: style="[^"]*")?>[\s\S]*<\/ol>/, `$1>${all.join('')}</ol>`);
  });
  page = page
    .replace(/<script\b[\s\S]*?<\/script>/g, '')
    .replace(/<link\b[^>]*rel="modulepreload"[^>]*>/g, '')
    .replace(/<meta\b[^>]*http-equiv="content-security-policy"[^>]*>/gi, '');
  const sheets = [...page.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"[^>]*>/g)];
  for (const [tag, href] of sheets) {
    const css = await readFile(path.join(CLIENT_DIR, href!), 'utf8');
    page = page.replace(tag, `<style>${css}</style>`);
  }
  return page.replace('<body', '<body data-floor="1"');
}

/** The small board the 1,000-card one is compared with (issue 20: at most 1.3× its render). */
const SMALL_CARDS = 10;

/** A new project with `count` cards spread over its columns, made through the REST API; answers its id. */
async function smallBoard(url: string, token: string, count: number): Promise<number> {
  const call = async <T>(pathname: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}/api/tickets${pathname}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${pathname}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const project = await call<{ id: number }>('/projects/', { name: 'Small board', key: 'SMALL' });
  const { board } = await fetchBoard(url, token, project.id);
  for (let i = 0; i < count; i++) {
    const column = board.columns[i % board.columns.length]!;
    await call('/tickets/', { project: project.id, column: column.id, title: `Small board card ${i + 1}` });
  }
  return project.id;
}

/** Moves tickets through the REST API at `rate` per second for `seconds`, each ticket once at a time. */
async function storm(
  url: string,
  token: string,
  board: BoardBody,
  rate: number,
  seconds: number,
): Promise<{ sent: number; failed: number }> {
  const columns = board.columns.map((c) => c.id);
  const tickets = board.columns.flatMap((c) => c.tickets.map((t) => ({ id: t.id, column: c.id })));
  const busy = new Set<number>();
  let sent = 0;
  let failed = 0;
  let next = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const ticket = tickets[next++ % tickets.length]!;
    if (busy.has(ticket.id)) continue;
    busy.add(ticket.id);
    const target = columns[(columns.indexOf(ticket.column) + 1) % columns.length]!;
    ticket.column = target;
    sent += 1;
    inFlight.push(
      fetch(`${url}/api/tickets/tickets/${ticket.id}/move/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ column: target }),
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (res) => {
          if (!res.ok) failed += 1;
          await res.arrayBuffer();
        })
        .catch(() => {
          failed += 1;
        })
        .finally(() => busy.delete(ticket.id)),
    );
  }
  await Promise.all(inFlight);
  return { sent, failed };
}

/**
 * BENCH_WEB_PROFILE=moves (or =storm, of the event storm; =trace, Chromium's timeline of the storm): a CPU profile of the page over `count` remote moves (to the top of the
 * next column), printed as the functions with the most self time. For finding out, not reporting.
 */
async function profileMoves(
  page: Page,
  url: string,
  token: string,
  lists: { id: number; tickets: number[] }[],
  count: number,
): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  for (let i = 0; i < count; i++) {
    const from = lists[i % lists.length]!;
    const to = lists[(i + 1) % lists.length]!;
    const ticket = from.tickets.splice(2, 1)[0]!;
    const before = to.tickets[0];
    to.tickets.unshift(ticket);
    await watchPlacement(page, ticket, to.id);
    await fetch(`${url}/api/tickets/tickets/${ticket}/move/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ column: to.id, before }),
    });
    await placedAfterArrival(page);
  }
  printProfile((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, `${count} remote moves`);
}

type CpuProfile = Awaited<ReturnType<import('@playwright/test').CDPSession['send']>> & {
  nodes: {
    id: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  startTime: number;
  endTime: number;
};

function printProfile(profile: CpuProfile, what: string): void {
  const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples?.length ?? 1) / 1000;
  const self = new Map<number, number>();
  for (const id of profile.samples ?? []) self.set(id, (self.get(id) ?? 0) + 1);
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url: file, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${path.basename(file)}:${lineNumber + 1}:${node.callFrame.columnNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + (self.get(node.id) ?? 0) * interval);
  }
  const top = [...totals].filter(([key]) => !key.startsWith('(idle)') && !key.startsWith('(program)'));
  // Who calls the costliest native function, by caller.
  const parent = new Map<number, (typeof profile.nodes)[number]>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const callers = new Map<string, number>();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== 'getBoundingClientRect') continue;
    const up = parent.get(node.id)?.callFrame;
    const key = up
      ? `${up.functionName || '(anonymous)'} ${path.basename(up.url)}:${up.lineNumber + 1}:${up.columnNumber + 1}`
      : '?';
    callers.set(key, (callers.get(key) ?? 0) + (self.get(node.id) ?? 0) * interval);
  }
  for (const [key, ms] of callers) console.error(`  getBoundingClientRect from ${key}: ${ms.toFixed(1)} ms`);
  console.error(`profile of ${what}, self time (ms):`);
  for (const [key, ms] of top.sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.error(`  ${ms.toFixed(1).padStart(7)}  ${key}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

/** BENCH_WEB_PROFILE=trace: records Chromium's timeline; the returned function stops it and yields the events. */
async function startTrace(page: Page): Promise<() => Promise<TraceEvent[]>> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: ['devtools.timeline', 'v8', 'blink', 'cc', 'disabled-by-default-devtools.timeline'],
    },
  });
  return async () => {
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    return events;
  };
}

/** The renderer main thread's trace events by name, total duration (inclusive: nested events count in their parents too). */
function printTrace(events: TraceEvent[], what: string): void {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const totals = new Map<string, { ms: number; count: number }>();
  for (const e of events) {
    if (!main || e.tid !== main.tid || e.pid !== main.pid || e.ph !== 'X' || !e.dur) continue;
    const t = totals.get(e.name) ?? { ms: 0, count: 0 };
    t.ms += e.dur / 1000;
    t.count += 1;
    totals.set(e.name, t);
  }
  console.error(`trace of ${what}, renderer main thread, inclusive ms (count):`);
  for (const [name, { ms, count }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40))
    console.error(`  ${ms.toFixed(1).padStart(8)}  ${name} (${count})`);
}

/** The renderer's cumulative main-thread times (ms), from Chromium's own counters. */
async function mainThread(cdp: CDPSession): Promise<{ task: number; script: number; layout: number; style: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? 0);
  return {
    task: get('TaskDuration'),
    script: get('ScriptDuration'),
    layout: get('LayoutDuration'),
    style: get('RecalcStyleDuration'),
  };
}

/** The share of frames longer than one at 60 Hz (with a little slack for timer rounding). */
const over = (frames: number[]) =>
  `${((100 * frames.filter((ms) => ms > 17.5).length) / Math.max(1, frames.length)).toFixed(1)}%`;

interface Row {
  name: string;
  value: number;
  floor: number | null;
  unit: string;
  target: number | null;
  /** A target on the ratio to the floor (issue 20's render row: ≤ 1.1× the same HTML without JS). */
  ratioTarget?: number;
  note?: string;
}

const met = (r: Row) =>
  (r.target === null || r.value <= r.target) &&
  (r.ratioTarget === undefined || (r.floor !== null && r.value / r.floor <= r.ratioTarget));

function report(rows: Row[]): string {
  const show = (n: number, unit: string) => (Number.isFinite(n) ? `${fmt(n, unit === 'KB' ? 1 : 1)} ${unit}` : '—');
  return markdownTable(
    ['measure', 'value', 'floor', 'ratio', 'target', 'result'],
    rows.map((r) => [
      r.note ? `${r.name} (${r.note})` : r.name,
      show(r.value, r.unit),
      r.floor === null ? '—' : show(r.floor, r.unit),
      r.floor ? `${(r.value / r.floor).toFixed(1)}×` : '—',
      r.ratioTarget !== undefined
        ? `≤ ${r.ratioTarget}× floor`
        : r.target === null
          ? 'info'
          : `≤ ${fmt(r.target, 1)} ${r.unit}`,
      r.target === null && r.ratioTarget === undefined ? 'info' : met(r) ? 'pass' : '**MISS**',
    ]),
  );
}

async function main(): Promise<void> {
  const runs = Math.round(numberFromEnv('BENCH_WEB_RUNS', 7, 1));
  const rate = numberFromEnv('BENCH_WEB_RATE', 200, 1);
  const seconds = numberFromEnv('BENCH_WEB_SECONDS', 5, 1);
  if (!existsSync(path.join(ROOT, 'web', 'build', 'handler.js'))) {
    throw new Error('web/build is missing: run `npm run build -w web` first');
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  await withBenchRun({ beforeCleanup: () => browser?.close() }, async ({ log, scope, database, demo }) => {
    const server = await startLaneway(database.url, {});
    scope.own(server.child);
    const token = await login(server.url, demo.password);
    const { board } = await fetchBoard(server.url, token, demo.projectId);
    const cards = board.columns.reduce((n, c) => n + c.tickets.length, 0);
    log(`seeded ${fmt(cards)} cards in ${board.columns.length} columns; Laneway at ${server.url}`);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1600, height: 1000 } });
    // Signed in as the demo project's superadmin: the login answer sets the session cookie.
    const signIn = await context.request.post('/api/tickets/auth/login/', {
      data: { username: 'demo-superadmin', password: demo.password },
      headers: { origin: server.url },
    });
    if (!signIn.ok()) throw new Error(`browser sign-in failed: ${signIn.status()} ${await signIn.text()}`);
    await context.addInitScript(instrument);
    const page = await context.newPage();
    const boardPath = `/projects/${demo.projectId}`;

    // --- render: one warm-up load (fills the HTTP cache, as for anyone who has been here), then N.
    const small = await smallBoard(server.url, token, SMALL_CARDS);
    const smallPath = `/projects/${small}`;
    log(`render: ${runs} loads of the board, of its static floor and of a ${SMALL_CARDS}-card board`);
    const floorHtml = await staticBoard(await (await context.request.get(boardPath)).text(), board);
    await page.route('**/bench-floor', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: floorHtml }),
    );
    const { cards: renderedCards } = await renderTime(page, boardPath, 1);
    await renderTime(page, '/bench-floor', cards);
    await renderTime(page, smallPath, SMALL_CARDS);
    const appRender: number[] = [];
    const appPaint: number[] = [];
    const floorRender: number[] = [];
    const smallRender: number[] = [];
    for (let i = 0; i < runs; i++) {
      const app = await renderTime(page, boardPath, 1);
      appRender.push(app.ready);
      appPaint.push(app.fcp);
      floorRender.push((await renderTime(page, '/bench-floor', cards)).ready);
      smallRender.push((await renderTime(page, smallPath, SMALL_CARDS)).ready);
    }

    // --- JavaScript: what the board page's HTML loads up front (its module preloads and the
    // entries its start script imports), each file once. What it loads after hydration (the live
    // connection) and on first use (the drag library, when a pointer comes over the cards) is
    // said beside it, and loaded before the moves and frames below, as for a person.
    const boardHtml = await (await context.request.get(boardPath)).text();
    const upFront = new Set(
      [
        ...[...boardHtml.matchAll(/<link\b[^>]*>/g)]
          .filter(([tag]) => tag.includes('rel="modulepreload"'))
          .map(([tag]) => /href="([^"]+)"/.exec(tag)?.[1]),
        ...[...boardHtml.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]),
      ]
        .filter((href): href is string => href?.endsWith('.js') === true)
        .map((href) => new URL(href, server.url).pathname),
    );
    const loadedScripts = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname)
          .filter((p) => p.endsWith('.js')),
      );
    const gzipped = async (files: Iterable<string>) => {
      let bytes = 0;
      for (const file of files) bytes += gzipSync(await readFile(path.join(CLIENT_DIR, file))).length;
      return bytes;
    };
    await renderTime(page, boardPath, 1);
    const seen = new Set(await loadedScripts());
    const missing = [...upFront].filter((p) => !seen.has(p));
    const perFile: [string, number][] = [];
    for (const script of upFront) perFile.push([script, await gzipped([script])]);
    const jsBytes = perFile.reduce((sum, [, size]) => sum + size, 0);
    log(`scripts (gzipped bytes): ${perFile.map(([name, size]) => `${path.basename(name)} ${fmt(size)}`).join(', ')}`);
    await page.waitForSelector('[data-testid="board"][data-live="true"]');
    const afterHydration = new Set((await loadedScripts()).filter((p) => !upFront.has(p)));
    await page.mouse.move(400, 400);
    await page.mouse.move(420, 430);
    await page
      .waitForFunction(
        (count) => performance.getEntriesByType('resource').length > count,
        (await loadedScripts()).length,
        {
          timeout: 5_000,
        },
      )
      .catch(() => undefined);
    await sleep(200);
    const onUse = new Set((await loadedScripts()).filter((p) => !upFront.has(p) && !afterHydration.has(p)));
    const afterBytes = await gzipped(afterHydration);
    const onUseBytes = await gzipped(onUse);

    // --- remote moves: wait for the live connection, then N moves made through the API.
    log(`remote move: ${runs} moves`);
    await page.waitForSelector('[data-testid="board"][data-live="true"]');
    const moveMs: number[] = [];
    const texts: string[] = [];
    // Cards near the top of their column, moved to the top of the next one: a move on screen.
    const lists = board.columns.map((c) => ({ id: c.id, tickets: c.tickets.map((t) => t.id) }));
    for (let i = 0; i < runs; i++) {
      const from = lists[i % lists.length]!;
      const to = lists[(i + 1) % lists.length]!;
      const ticket = from.tickets.splice(3 + (i % 5), 1)[0]!;
      const before = to.tickets[0];
      to.tickets.unshift(ticket);
      const target = to.id;
      await watchPlacement(page, ticket, target);
      const res = await fetch(`${server.url}/api/tickets/tickets/${ticket}/move/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ column: target, ...(before === undefined ? {} : { before }) }),
      });
      if (!res.ok) throw new Error(`move failed: ${res.status} ${await res.text()}`);
      const { ms, text } = await placedAfterArrival(page);
      moveMs.push(ms);
      texts.push(text);
      await sleep(100);
    }

    if (process.env.BENCH_WEB_PROFILE === 'moves') await profileMoves(page, server.url, token, lists, 10);

    // --- frames: the idle board, then the same board while events arrive at `rate` per second.
    log(`frames: ${seconds} s idle, then ${seconds} s at ${rate} events/s`);
    const idleFrames = await frameTimes(page, seconds * 1000);
    const eventsBefore = await page.evaluate(
      () => (window as unknown as { __bench: { events: number } }).__bench.events,
    );
    const fresh = (await fetchBoard(server.url, token, demo.projectId)).board;
    const tracing = process.env.BENCH_WEB_PROFILE === 'trace' ? await startTrace(page) : null;
    const cdp = process.env.BENCH_WEB_PROFILE === 'storm' ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const counters = await page.context().newCDPSession(page);
    await counters.send('Performance.enable');
    const busyBefore = await mainThread(counters);
    const [busyFrames, sentStorm] = await Promise.all([
      frameTimes(page, seconds * 1000),
      storm(server.url, token, fresh, rate, seconds),
    ]);
    await sleep(500);
    const busyAfter = await mainThread(counters);
    if (cdp) printProfile((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 'the event storm');
    if (tracing) printTrace(await tracing(), 'the event storm');
    const received =
      (await page.evaluate(() => (window as unknown as { __bench: { events: number } }).__bench.events)) - eventsBefore;

    // --- the floor of a remote move, on the static page.
    await renderTime(page, '/bench-floor', cards);
    const floorMove: number[] = [];
    for (const text of texts) floorMove.push(await plainMove(page, text));

    // --- the machine's share: the static page's frames while the same moves load the server
    // (on this 2-core machine the server, the bench and Chromium compete for the CPU).
    const loaded = (await fetchBoard(server.url, token, demo.projectId)).board;
    const loadedBefore = await mainThread(counters);
    const [loadedFrames] = await Promise.all([
      frameTimes(page, seconds * 1000),
      storm(server.url, token, loaded, rate, seconds),
    ]);
    await sleep(500);
    const loadedAfter = await mainThread(counters);
    const perEvent = (key: keyof typeof busyAfter) => (busyAfter[key] - busyBefore[key]) / Math.max(1, received);

    const rows: Row[] = [
      {
        name: 'render 1,000-card board',
        note: `navigation start → painted and hydrated, ${fmt(renderedCards)} cards in the DOM, median`,
        value: median(appRender),
        floor: median(floorRender),
        unit: 'ms',
        target: null,
        ratioTarget: 1.1,
      },
      {
        name: 'render 1,000-card board against a 10-card one',
        note: `the same measure; floor: a ${SMALL_CARDS}-card project of the same server, loaded alike`,
        value: median(appRender),
        floor: median(smallRender),
        unit: 'ms',
        target: null,
        ratioTarget: 1.3,
      },
      {
        name: 'first contentful paint',
        note: 'server-rendered cards, median',
        value: median(appPaint),
        floor: null,
        unit: 'ms',
        target: null,
      },
      {
        name: 'remote move',
        note: 'event on the socket → card in its new column, median',
        value: median(moveMs),
        floor: median(floorMove),
        unit: 'ms',
        target: 4,
      },
      {
        name: 'remote move, slowest',
        note: `of ${runs}`,
        value: Math.max(...moveMs),
        floor: Math.max(...floorMove),
        unit: 'ms',
        target: null,
      },
      {
        name: `frame time p95 at ${fmt(rate)} events/s`,
        note: `${fmt(received)} events received of ${fmt(sentStorm.sent)} moves, ${sentStorm.failed} failed; ${over(busyFrames)} of frames over 16.7 ms, idle ${over(idleFrames)}`,
        value: quantile(busyFrames, 0.95),
        floor: quantile(idleFrames, 0.95),
        unit: 'ms',
        target: 16.7,
      },
      {
        name: 'frame time p95, static page, same moves',
        note: 'no events to apply: what the load on the machine costs alone',
        value: quantile(loadedFrames, 0.95),
        floor: quantile(idleFrames, 0.95),
        unit: 'ms',
        target: null,
      },
      {
        name: 'main thread per event',
        note: `the renderer's task time during the storm over the events received (script ${fmt(perEvent('script'), 2)}, style ${fmt(perEvent('style'), 2)}, layout ${fmt(perEvent('layout'), 2)} ms); floor: the static page's during the same moves, over as many; CPU time, less noisy than frames on a loaded machine`,
        value: perEvent('task'),
        floor: (loadedAfter.task - loadedBefore.task) / Math.max(1, received),
        unit: 'ms',
        target: null,
      },
      {
        name: 'board route JavaScript, gzipped',
        note: `${upFront.size} files up front${missing.length ? ` (${missing.length} not loaded by the page!)` : ''}; then ${fmt(afterBytes / 1024, 1)} KB after hydration (${afterHydration.size} files) and ${fmt(onUseBytes / 1024, 1)} KB on first use (${onUse.size})`,
        value: jsBytes / 1024,
        floor: null,
        unit: 'KB',
        target: 60,
      },
    ];
    console.log(`\n## bench:web — ${fmt(cards)} cards, Chromium ${browser.version()}\n`);
    console.log(report(rows));
    console.log(
      `\nrender runs (ms): app ${appRender.map((n) => fmt(n)).join(', ')}; floor ${floorRender.map((n) => fmt(n)).join(', ')}; ${SMALL_CARDS}-card board ${smallRender.map((n) => fmt(n)).join(', ')}`,
    );
    console.log(`remote move runs (ms): ${moveMs.map((n) => fmt(n, 2)).join(', ')}`);
  });
}

runMain(main);
