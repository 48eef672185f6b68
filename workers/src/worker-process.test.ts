/**
 * The `worker` command as a real process (`node workers/src/index.ts`): killed with SIGKILL in
 * the middle of 1,000 queued webhook deliveries it loses none of them once a worker runs again;
 * on SIGTERM it finishes the job it is running before it exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { buildWorld, type World } from '../../test/world.ts';
import { startWorker } from './worker.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every request the receiver got, by webhook-id; `hold` delays answers (ms). */
const received = new Map<string, number>();
let hold = 0;
let onRequest: (() => void) | null = null;
let receiver: Server;
let hookUrl: string;
let t: TestApp;
let w: World;

beforeAll(async () => {
  receiver = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      received.set(id, (received.get(id) ?? 0) + 1);
      onRequest?.();
      setTimeout(() => res.writeHead(204).end(), hold);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WORKER_MODE: 'off' });
  w = await buildWorld(t);
  const hook = await t.post('/webhooks/', { project: w.projectId, url: hookUrl }, { token: w.tokens.superadmin });
  expect(hook.status).toBe(201);
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await t.close();
});

/** `npm run worker` against the test database. */
function workerProcess(): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: t.runtime.deps.config.databaseUrl,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'warn',
    DATA_DIR: t.runtime.deps.config.DATA_DIR,
  };
  const child = spawn(process.execPath, ['workers/src/index.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Queues `n` deliveries the way changes do: events appended to the project's topic. */
async function queueDeliveries(n: number, type: string) {
  await t.sql`
    insert into events (topic, seq, type, payload)
    select ${`project:${w.projectId}`}, 1000000 + i + coalesce((select max(seq) from events where topic = ${`project:${w.projectId}`} and seq >= 1000000), 0),
      ${type}, jsonb_build_object('n', i)
    from generate_series(1, ${n}) as i`;
  return t.sql<{ message_id: string }[]>`
    select message_id from webhook_deliveries where event_type = ${type}`;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the worker process', () => {
  it('loses none of 1,000 queued deliveries when SIGKILLed midway, once a worker runs again', async () => {
    hold = 5;
    const messages = await queueDeliveries(1000, 'bench.kill');
    expect(messages).toHaveLength(1000);
    const first = workerProcess();
    await until('a third of the deliveries', () => received.size >= 300);
    first.child.kill('SIGKILL');
    await first.exited;

    const [{ pending }] = await t.sql<[{ pending: number }]>`
      select count(*)::int as pending from webhook_deliveries where event_type = 'bench.kill' and status = 'pending'`;
    expect(pending).toBeGreaterThan(0);
    // Its heartbeat would go stale after 30 s; say those seconds have passed.
    await t.sql`update worker_heartbeats set seen_at = now() - interval '1 minute'`;
    const second = await startWorker(t.runtime.deps, { concurrency: 4, pollInterval: 100, crontab: null });
    try {
      await until('every delivery', async () => {
        const [row] = await t.sql<[{ left: number }]>`
          select count(*)::int as left from webhook_deliveries where event_type = 'bench.kill' and status <> 'succeeded'`;
        return row.left === 0;
      });
    } finally {
      await second.stop();
    }
    for (const { message_id } of messages) expect(received.get(message_id) ?? 0).toBeGreaterThanOrEqual(1);
    // At least once: a request cut by the kill may arrive twice, never with another webhook-id.
    const duplicates = messages.filter((m) => received.get(m.message_id)! > 1).length;
    expect(duplicates).toBeLessThanOrEqual(4);
  }, 60_000);

  it('finishes the running delivery on SIGTERM, then exits 0', async () => {
    hold = 1500;
    const started = new Promise<void>((resolve) => (onRequest = resolve));
    const worker = workerProcess();
    const [message] = await queueDeliveries(1, 'bench.term');
    await started;
    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.output()).toBe(0);
    const [row] = await t.sql<[{ status: string; response_status: number }]>`
      select status, response_status from webhook_deliveries where message_id = ${message!.message_id}`;
    expect(row).toEqual({ status: 'succeeded', response_status: 204 });
    expect(await t.sql`select 1 from worker_heartbeats`).toHaveLength(0);
    onRequest = null;
  }, 30_000);
});
