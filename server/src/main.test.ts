import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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

/** Starts `npm start`'s entry point with no database configured, as a new user would. */
async function start(port: number): Promise<{ child: ChildProcess; output: () => string; readyMs: number }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  Object.assign(env, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
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

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
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
    expect(await stop(first.child)).toBe(0);

    const second = await start(port);
    try {
      const setup = await fetch(`${base}/auth/setup/`);
      expect(await setup.json()).toEqual({ needs_setup: false });
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
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
