/**
 * Helpers for the deployment tests: scratch databases on the test PostgreSQL, and entrypoint.sh
 * run as a child process the way a container runs it (a clean environment, nothing inherited
 * but PATH and HOME).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { adminUrl, databaseUrl } from '../db-url.ts';

export const root = path.resolve(import.meta.dirname, '../..');

/** Creates empty databases on the test server and drops them all in `dropAll()`. */
export function scratchDatabases(prefix: string) {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const names: string[] = [];
  return {
    /** A new empty database; resolves to its URL. */
    async create(): Promise<string> {
      const name = `lwt_${prefix}_${process.pid}_${names.length}`;
      names.push(name);
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
      return databaseUrl(name);
    },
    async dropAll(): Promise<void> {
      for (const name of names) await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

export interface Started {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves to the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Runs `entrypoint.sh ...args` from `cwd` (the repository, or a copy of it) with only `env`,
 * PATH and HOME in its environment.
 */
export function runEntrypoint(args: string[], env: Record<string, string>, cwd = root): Started {
  const child = spawn(path.join(cwd, 'entrypoint.sh'), args, {
    cwd: '/',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Runs `entrypoint.sh ...args` to completion. */
export async function entrypoint(
  args: string[],
  env: Record<string, string>,
  cwd = root,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const run = runEntrypoint(args, env, cwd);
  const code = await run.exited;
  return { code, output: run.output(), ms: Date.now() - started };
}

/** Polls `GET /ready` until it answers 200; throws with the process's output if it exits first. */
export async function waitReady(run: Started, port: number, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`exited with ${run.child.exitCode}:\n${run.output()}`);
    const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    if (res?.status === 200) return;
    if (Date.now() - started > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends SIGTERM and resolves to the exit code; SIGKILLs a process still there after `ms`. */
export async function terminate(run: Started, ms = 20_000): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A JSON request to the API under /api/tickets; resolves to status and parsed body. */
export async function api(
  port: number,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${port}/api/tickets${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}
