/**
 * `deliver_webhook` end to end: real changes through the API queue deliveries (the outbox
 * trigger), a real worker sends them to a real HTTP receiver on loopback, and every attempt is
 * read back from `webhook_deliveries`. The app allows private destinations so the receiver can
 * be configured at all; the SSRF block runs a worker that does not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { verify } from '../../../server/src/webhooks/sign.ts';
import { startWorker, type RunningWorker } from '../worker.ts';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../../../server/src/services/webhooks.ts';
import { closeDeliveryDispatchers } from './deliver_webhook.ts';

const TIMEOUT_MS = 500;

// ---------------------------------------------------------------------------------------------
// The receiver: each path answers from its script, one entry per request, the last repeating.

type Answer = (res: ServerResponse) => void;
const status =
  (code: number, body = '', headers: Record<string, string> = {}): Answer =>
  (res) =>
    res.writeHead(code, headers).end(body);
/** Never answers: the delivery must be cut at the timeout. */
const hang: Answer = () => {};

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let received: Received[] = [];
const scripts = new Map<string, Answer[]>();
let receiver: Server;
let base: string;

function script(path: string, ...answers: Answer[]): string {
  scripts.set(path, answers);
  return `${base}${path}`;
}

const hits = (path: string) => received.filter((r) => r.path === path);

// ---------------------------------------------------------------------------------------------

let t: TestApp;
let w: World;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answers = scripts.get(path) ?? [status(404)];
      (answers.length > 1 ? answers.shift()! : answers[0]!)(res);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await createTestApp({
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_MAX_ATTEMPTS: '3',
    WORKER_MODE: 'off',
  });
  w = await buildWorld(t);
});

afterAll(async () => {
  await closeDeliveryDispatchers();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await t?.close();
});

beforeEach(() => {
  received = [];
});

const asSuperadmin = () => ({ token: w.tokens.superadmin });

let projects = 0;
/** A project per test, so each webhook hears only its own test's events. */
async function newProject(): Promise<number> {
  const n = ++projects;
  const res = await t.post('/projects/', { name: `Delivery ${n}`, key: `DL${n}` }, asSuperadmin());
  expect(res.status).toBe(201);
  const member = await t.post(
    `/projects/${res.body.id}/members/`,
    { user_id: w.ids.admin, role: 'admin' },
    asSuperadmin(),
  );
  expect(member.status).toBe(201);
  return res.body.id;
}

async function newWebhook(project: number, url: string) {
  const res = await t.post('/webhooks/', { project, url, events: ['ticket.created'] }, asSuperadmin());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; secret: string };
}

async function newTicket(project: number, title = 'Printer on fire') {
  const res = await t.post('/tickets/', { project, title }, asSuperadmin());
  expect(res.status).toBe(201);
  return res.body.id as number;
}

interface Attempt {
  id: number;
  message_id: string;
  event_type: string;
  attempt: number;
  status: string;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  response_snippet: string | null;
  payload: any;
  next_attempt_at: string;
}

/** The webhook's attempts as the API lists them, oldest first. */
async function attempts(webhook: number): Promise<Attempt[]> {
  const res = await t.get(`/webhooks/${webhook}/deliveries/?page_size=200`, asSuperadmin());
  expect(res.status).toBe(200);
  return (res.body.results as Attempt[]).reverse();
}

/** Polls until `check` holds, then returns its last value. */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const settled = (list: Attempt[], count: number) => list.length === count && list.every((a) => a.status !== 'pending');

/** deliver_webhook jobs still queued or failing (an infrastructure error would sit here). */
const jobs = async () =>
  t.sql<{ attempts: number; last_error: string | null }[]>`
    select attempts, last_error from graphile_worker.jobs where task_identifier = 'deliver_webhook'`;

describe('retry schedule', () => {
  it('waits base × 4^(attempt − 1), at most 12 hours, ±10 %: about a day over 9 attempts', () => {
    const base = 10_000;
    const middle = (attempt: number) => retryDelayMs(attempt, base, () => 0.5);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(middle)).toEqual([
      10_000,
      40_000,
      160_000,
      640_000,
      2_560_000,
      10_240_000,
      40_960_000,
      MAX_RETRY_DELAY_MS,
    ]);
    expect(middle(30)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(2, base, () => 0)).toBe(36_000);
    expect(retryDelayMs(2, base, () => 1)).toBe(44_000);
    const total = [1, 2, 3, 4, 5, 6, 7, 8].reduce((sum, attempt) => sum + middle(attempt), 0);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(30);
  });
});

describe('delivery', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(t.runtime.deps, { concurrency: 2, pollInterval: 50, crontab: null });
  });
  afterAll(() => worker.stop());

  it('posts the stored event, signed with the endpoint secret, and logs the 200', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/ok', status(200, 'thanks')));
    const ticket = await newTicket(project);
    const [attempt] = await until(
      'the delivery',
      () => attempts(hook.id),
      (l) => settled(l, 1),
    );

    expect(attempt).toMatchObject({
      attempt: 1,
      status: 'succeeded',
      response_status: 200,
      error: null,
      response_snippet: 'thanks',
    });
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(0);
    const [request] = hits('/ok');
    expect(request!.headers['webhook-id']).toBe(attempt!.message_id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(verify(hook.secret, request!.headers, request!.body, 60)).toBe(true);
    expect(verify(hook.secret, request!.headers, `${request!.body} `, 60)).toBe(false);
    const body = JSON.parse(request!.body);
    expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
    expect(body).toEqual(attempt!.payload);
    expect(body).toMatchObject({ type: 'ticket.created', data: { id: ticket, project, title: 'Printer on fire' } });
    expect(await jobs()).toEqual([]);
  });

  it('retries a 500 with backoff under one webhook-id, logging every attempt', async () => {
    const project = await newProject();
    const url = script('/flaky', status(500, 'database is on fire'), status(503, 'still'), status(200, 'ok'));
    const counted = async () =>
      Object.fromEntries(
        (await t.runtime.deps.metrics.webhookAttempts.get()).values.map((v) => [v.labels.outcome, v.value]),
      );
    const before = await counted();
    const hook = await newWebhook(project, url);
    await newTicket(project);
    const log = await until(
      'three attempts',
      () => attempts(hook.id),
      (l) => settled(l, 3),
    );

    expect(log.map((a) => [a.attempt, a.status, a.response_status, a.error, a.response_snippet])).toEqual([
      [1, 'failed', 500, 'HTTP 500', 'database is on fire'],
      [2, 'failed', 503, 'HTTP 503', 'still'],
      [3, 'succeeded', 200, null, 'ok'],
    ]);
    expect(new Set(log.map((a) => a.message_id)).size).toBe(1);
    const requests = hits('/flaky');
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual(log.map((a) => a.message_id));
    // The same bytes every time, each attempt signed anew.
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const r of requests) expect(verify(hook.secret, r.headers, r.body, 60)).toBe(true);
    // Each retry is due its delay after the attempt before it was sent (no earlier than due):
    // base 50 ms, then 200 ms, less at most 10 % jitter.
    const due = log.map((a) => Date.parse(a.next_attempt_at));
    expect(due[1]! - due[0]!).toBeGreaterThanOrEqual(45);
    expect(due[2]! - due[1]!).toBeGreaterThanOrEqual(180);
    const [row] = await t.sql<{ consecutive_failures: number }[]>`
      select consecutive_failures from webhooks where id = ${hook.id}`;
    expect(row!.consecutive_failures).toBe(0);
    // /metrics counts every attempt by outcome.
    const after = await counted();
    expect((after.failed ?? 0) - (before.failed ?? 0)).toBe(2);
    expect((after.succeeded ?? 0) - (before.succeeded ?? 0)).toBe(1);
  });

  it('treats a redirect as a failure and never follows it; gives up after the last attempt', async () => {
    const project = await newProject();
    script('/target', status(200));
    const hook = await newWebhook(project, script('/moved', status(302, 'moved', { location: `${base}/target` })));
    await newTicket(project);
    const log = await until(
      'every attempt',
      () => attempts(hook.id),
      (l) => settled(l, 3),
    );
    expect(log.map((a) => [a.attempt, a.status, a.response_status, a.error])).toEqual([
      [1, 'failed', 302, 'redirect 302 not followed'],
      [2, 'failed', 302, 'redirect 302 not followed'],
      [3, 'failed', 302, 'redirect 302 not followed'],
    ]);
    expect(hits('/target')).toHaveLength(0);
    // WEBHOOK_MAX_ATTEMPTS is 3 here: nothing more is queued.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await attempts(hook.id)).toHaveLength(3);
    expect(hits('/moved')).toHaveLength(3);
    const [row] = await t.sql<{ consecutive_failures: number }[]>`
      select consecutive_failures from webhooks where id = ${hook.id}`;
    expect(row!.consecutive_failures).toBe(3);
  });

  it('does not retry a permanent failure: a port fetch never calls, a name that does not exist', async () => {
    // Issue 13 row 10: a "bad port" failure was retried 9 times. WEBHOOK_MAX_ATTEMPTS is 3 here.
    for (const [url, error] of [
      ['http://127.0.0.1:6000/x11', 'bad port (permanent: not retried)'],
      ['http://no-such-host.invalid/hook', 'getaddrinfo ENOTFOUND no-such-host.invalid (permanent: not retried)'],
    ]) {
      const project = await newProject();
      const hook = await newWebhook(project, script('/renamed-later', status(204)));
      // The API checks that a name resolves; a name can stop resolving after it was accepted.
      await t.sql`update webhooks set url = ${url!} where id = ${hook.id}`;
      await newTicket(project);
      const log = await until(
        'the attempt',
        () => attempts(hook.id),
        (l) => settled(l, 1),
      );
      expect(log[0], url).toMatchObject({ attempt: 1, status: 'failed', response_status: null, error });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await attempts(hook.id), url).toHaveLength(1);
    }
  });

  it('cuts a receiver that never answers at the timeout', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/hang', hang, status(204)));
    await newTicket(project);
    const log = await until(
      'the retry after the timeout',
      () => attempts(hook.id),
      (l) => settled(l, 2),
    );
    expect(log[0]).toMatchObject({ status: 'failed', response_status: null, error: `timeout after ${TIMEOUT_MS} ms` });
    expect(log[0]!.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(log[0]!.duration_ms).toBeLessThan(TIMEOUT_MS + 2_000);
    expect(log[1]).toMatchObject({ status: 'succeeded', response_status: 204 });
  });

  it('disables the endpoint at the 20th failure in a row and tells the superadmins', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/down', status(500, 'down')));
    // 18 failed attempts of earlier messages; this message's first two make 20.
    await t.sql`update webhooks set consecutive_failures = 18 where id = ${hook.id}`;
    await newTicket(project);
    const log = await until(
      'two attempts',
      () => attempts(hook.id),
      (l) => settled(l, 2),
    );
    expect(log.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    // Disabled: the third attempt allowed by WEBHOOK_MAX_ATTEMPTS is never queued.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await attempts(hook.id)).toHaveLength(2);

    const reason = '20 consecutive failed deliveries; last: HTTP 500';
    const shown = await t.get(`/webhooks/${hook.id}/`, asSuperadmin());
    expect(shown.body).toMatchObject({ is_active: false, consecutive_failures: 20, disabled_reason: reason });
    const inbox = await t.get('/notifications/', asSuperadmin());
    const notice = inbox.body.results.find((n: any) => n.kind === 'webhook_disabled' && n.data.webhook === hook.id);
    expect(notice).toMatchObject({
      ticket: null,
      actor: null,
      data: { webhook: hook.id, url: `${base}/down`, project, reason },
    });
    const admin = await t.get('/notifications/', { token: w.tokens.admin });
    expect(admin.body.results.filter((n: any) => n.kind === 'webhook_disabled')).toEqual([]);

    // A disabled endpoint hears nothing more, until it is turned on again.
    await newTicket(project);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await attempts(hook.id)).toHaveLength(2);
    const enabled = await t.patch(`/webhooks/${hook.id}/`, { is_active: true }, asSuperadmin());
    expect(enabled.body).toMatchObject({ is_active: true, consecutive_failures: 0, disabled_reason: null });
  });

  it('marks an attempt queued before its endpoint was turned off as failed, unsent', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/off', status(200)));
    // The change and the switch-off commit together, so the worker finds the attempt disabled.
    await t.sql.begin(async (sql) => {
      await sql`insert into events (topic, seq, type, payload) values (${`project:${project}`}, 999, 'ticket.created', '{}')`;
      await sql`update webhooks set is_active = false where id = ${hook.id}`;
    });
    const log = await until(
      'the skipped attempt',
      () => attempts(hook.id),
      (l) => settled(l, 1),
    );
    expect(log[0]).toMatchObject({ status: 'failed', error: 'endpoint disabled', response_status: null });
    expect(hits('/off')).toHaveLength(0);
  });

  it('redelivers by hand with the same webhook-id and body', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/again', status(200, 'first'), status(200, 'second')));
    await newTicket(project);
    const [first] = await until(
      'the delivery',
      () => attempts(hook.id),
      (l) => settled(l, 1),
    );
    const res = await t.post(`/webhooks/deliveries/${first!.id}/redeliver/`, undefined, asSuperadmin());
    expect(res.status).toBe(202);
    const log = await until(
      'the redelivery',
      () => attempts(hook.id),
      (l) => settled(l, 2),
    );
    expect(log.map((a) => [a.attempt, a.status, a.response_snippet, a.message_id])).toEqual([
      [1, 'succeeded', 'first', first!.message_id],
      [2, 'succeeded', 'second', first!.message_id],
    ]);
    const [one, two] = hits('/again');
    expect(two!.headers['webhook-id']).toBe(one!.headers['webhook-id']);
    expect(two!.body).toBe(one!.body);
    expect(verify(hook.secret, two!.headers, two!.body, 60)).toBe(true);
  });

  it('pings once, with its own message id, and does not retry a failed ping', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, script('/ping', status(401, 'bad signature'), status(200)));
    const res = await t.post(`/webhooks/${hook.id}/ping/`, undefined, asSuperadmin());
    expect(res.status).toBe(202);
    const [ping] = await until(
      'the ping',
      () => attempts(hook.id),
      (l) => settled(l, 1),
    );
    expect(ping).toMatchObject({ event_type: 'webhook.ping', status: 'failed', response_status: 401 });
    const [request] = hits('/ping');
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'webhook.ping', data: { webhook: hook.id, project } });
    expect(verify(hook.secret, request!.headers, request!.body, 60)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await attempts(hook.id)).toHaveLength(1);
  });
});

describe('SSRF guard at delivery time', () => {
  let canary: Server;
  let connections = 0;
  let worker: RunningWorker;
  beforeAll(async () => {
    canary = createServer((_req, res) => res.writeHead(200).end('reached'));
    canary.on('connection', () => connections++);
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    // The API (allowing private destinations) took the URL; the worker does not allow them.
    const deps = t.runtime.deps;
    worker = await startWorker(
      { ...deps, config: { ...deps.config, WEBHOOK_ALLOW_PRIVATE: false } },
      { concurrency: 2, pollInterval: 50, crontab: null },
    );
  });
  afterAll(async () => {
    await worker.stop();
    canary.closeAllConnections();
    await new Promise((resolve) => canary.close(resolve));
  });

  it('refuses a loopback receiver without opening a connection, logs the refusal, and does not retry it', async () => {
    const project = await newProject();
    const port = (canary.address() as AddressInfo).port;
    const hook = await newWebhook(project, `http://127.0.0.1:${port}/canary`);
    await newTicket(project);
    const log = await until(
      'the attempt',
      () => attempts(hook.id),
      (l) => settled(l, 1),
    );
    expect(log[0]).toMatchObject({
      status: 'failed',
      response_status: null,
      error: 'refused: resolves to a loopback address (127.0.0.1) (permanent: not retried)',
    });
    // A refusal does not pass by waiting (issue 13 row 10): no second attempt is queued.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await attempts(hook.id)).toHaveLength(1);
    expect(connections).toBe(0);
  });
});
