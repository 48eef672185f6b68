/**
 * SIGTERM under load, the way a container is stopped: the server started through entrypoint.sh
 * (so the signal reaches the exec'd server itself) finishes every request it has accepted, each
 * with a 2xx, and exits 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { api, freePort, runEntrypoint, scratchDatabases, terminate, waitReady, type Started } from './processes.ts';

const databases = scratchDatabases('sigterm');
const CONCURRENT = 50;
let dataDir: string | undefined;
let server: Started | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await databases.dropAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * A login whose JSON body arrives in two parts: the first now, the rest once `release` is
 * called. Until then the request is certainly in flight on the server.
 */
function heldLogin(port: number, credentials: object, released: Promise<void>): Promise<Response> {
  const body = new TextEncoder().encode(JSON.stringify(credentials));
  const half = Math.floor(body.length / 2);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(body.subarray(0, half));
      await released;
      controller.enqueue(body.subarray(half));
      controller.close();
    },
  });
  return fetch(`http://127.0.0.1:${port}/api/tickets/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

it(`finishes ${CONCURRENT} in-flight logins with 2xx after SIGTERM, then exits 0`, async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'laneway-sigterm-'));
  const port = await freePort();
  server = runEntrypoint(['server'], {
    DATABASE_URL: await databases.create(),
    DATA_DIR: dataDir,
    PORT: String(port),
    WORKER_MODE: 'inline',
    // Fifty parallel sign-ins of one account are this test's load, not an attack: the login
    // throttle charges each before verifying (decision 0020) and would refuse all but ten.
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000',
    LOGIN_MAX_ATTEMPTS_PER_IP: '1000',
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP: '1000',
  });
  await waitReady(server, port);
  const credentials = { username: 'owner', password: 'owner password' };
  const register = await api(port, 'POST', '/auth/register/', { ...credentials, email: 'owner@example.com' });
  expect(register.status).toBe(201);

  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const logins = Array.from({ length: CONCURRENT }, () => heldLogin(port, credentials, released));
  // Every request has its headers and half its body on the server.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const started = Date.now();
  const exit = terminate(server);
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Still running for the requests in flight, but no longer accepting connections.
  expect(server.child.exitCode).toBeNull();
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  release();
  const answers = await Promise.all(logins);
  const statuses = answers.map((res) => res.status);
  expect(statuses).toEqual(statuses.map(() => 200));
  for (const res of answers) expect(await res.json()).toMatchObject({ access: expect.any(String) });
  expect(await exit).toBe(0);
  // Within the server's own 10 s bound.
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(server.output()).not.toMatch(/shutdown (timed out|failed)/);
}, 90_000);
