import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createApp, type App } from '../server/src/app.ts';
import { openRuntime, type Runtime } from '../server/src/deps.ts';
import { loadConfig } from '../server/src/env.ts';
import { createLogger } from '../server/src/logger.ts';
import { adminUrl, databaseUrl } from './db-url.ts';

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

export interface TestApp {
  app: App;
  runtime: Runtime;
  sql: postgres.Sql;
  /** Calls the API under `/api/tickets` (or an absolute path starting with `//`). */
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  get<T = any>(path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse<T>>;
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse<T>>;
  put<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse<T>>;
  del<T = any>(path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

/**
 * A Laneway app on a fresh clone of the migrated template database (or on `env.DATABASE_URL`,
 * already migrated, which it leaves as it is). Requests go through the real middleware and a
 * real PostgreSQL, in process.
 *
 * @example const t = await createTestApp(); const res = await t.get('/priorities/');
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const template = inject('templateDatabase');
  const name = `lwt_${template.slice(12)}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  // Cloning needs the template to have no connections; retry briefly if a sibling holds one.
  // A test that brings its own migrated database (env.DATABASE_URL) gets no clone.
  for (let attempt = 0; !env.DATABASE_URL; attempt++) {
    try {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'laneway-test-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl(name),
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://laneway.test',
    // Test files write far faster than people: the role limits have their own test.
    RATE_LIMIT_WRITES_PER_MINUTE: '1000000,1000000,1000000',
    ...env,
  });
  const runtime = await openRuntime(config, createLogger(config));
  const app = createApp(runtime.deps);

  const request = async (method: string, p: string, options: RequestOptions = {}) => {
    const url = p.startsWith('//') ? `http://laneway.test${p.slice(1)}` : `http://laneway.test/api/tickets${p}`;
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined;
    if (options.body instanceof FormData || options.body instanceof Uint8Array || typeof options.body === 'string') {
      body = options.body as BodyInit;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(
      url,
      { method, headers, body },
      {
        incoming: { socket: { remoteAddress: options.ip ?? '127.0.0.1', remoteFamily: 'IPv4' } },
      },
    );
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    app,
    runtime,
    sql: runtime.deps.sql,
    request,
    get: (p, o) => request('GET', p, o),
    post: (p, body, o) => request('POST', p, { ...o, body }),
    patch: (p, body, o) => request('PATCH', p, { ...o, body }),
    put: (p, body, o) => request('PUT', p, { ...o, body }),
    del: (p, o) => request('DELETE', p, o),
    async close() {
      await runtime.close();
      if (!env.DATABASE_URL) await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
