import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import type { App } from './app.ts';
import { closeHttpServer, createHttpServer } from './http-server.ts';

let t: TestApp;
let server: Server;
let base: string;

/** Headers that differ per response or per route; the rest must be identical. */
const DYNAMIC = new Set(['date', 'content-length', 'x-request-id', 'connection', 'keep-alive', 'vary']);

function stableHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DYNAMIC.has(name)) out[name] = value;
  });
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  // A worker that beat just now, for /ready (workers/src/worker.test.ts runs a real one).
  await t.sql`insert into worker_heartbeats (id) values ('http-server-test')`;
  server = await createHttpServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await closeHttpServer(server);
  await t?.close();
});

describe('the HTTP server', () => {
  it('answers GET /health with the same headers as an app-served route', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    expect(res.headers.get('content-length')).toBe('15');
    expect(await res.text()).toBe('{"status":"ok"}');

    const api = await fetch(`${base}/api/tickets/auth/setup/`);
    expect(api.status).toBe(200);
    expect(api.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    await api.arrayBuffer();
    const health = stableHeaders(res.headers);
    const other = stableHeaders(api.headers);
    // Same security headers, same values; only the content type may differ between routes.
    expect(Object.keys(health).sort()).toEqual(Object.keys(other).sort());
    for (const name of Object.keys(other)) expect([name, health[name]]).toEqual([name, other[name]]);
    expect(health['x-frame-options']).toBe('SAMEORIGIN');
    expect(health['strict-transport-security']).toBeDefined();
  });

  it('sends exactly what the app itself sends for /health', async () => {
    const fast = await fetch(`${base}/health`);
    const app = await t.app.request('http://laneway.test/health');
    expect(stableHeaders(fast.headers)).toEqual(stableHeaders(app.headers));
    expect(await fast.text()).toBe(await app.text());
  });

  it('gives each answer its own request id and keeps a plain one the client sent', async () => {
    const [a, b] = await Promise.all([fetch(`${base}/health`), fetch(`${base}/health`)]);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    const mine = await fetch(`${base}/health`, { headers: { 'x-request-id': 'probe-42' } });
    expect(mine.headers.get('x-request-id')).toBe('probe-42');
    const odd = await fetch(`${base}/health`, { headers: { 'x-request-id': 'no spaces!' } });
    expect(odd.headers.get('x-request-id')).not.toBe('no spaces!');
  });

  it('answers /health without the framework and passes the rest to it', async () => {
    let calls = 0;
    const counted = Object.create(t.app) as App;
    counted.fetch = (...args: Parameters<App['fetch']>) => {
      calls++;
      return t.app.fetch(...args);
    };
    const own = await createHttpServer(counted);
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    try {
      for (const p of ['/health', '/health/', '/health?x=1']) expect((await fetch(`${url}${p}`)).status).toBe(200);
      expect((await fetch(`${url}/health`, { method: 'HEAD' })).status).toBe(200);
      expect(calls).toBe(0);
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      await (await fetch(`${url}/health`, { method: 'POST' })).arrayBuffer();
      await (await fetch(`${url}/ready`)).arrayBuffer();
      expect(calls).toBe(3);
    } finally {
      await closeHttpServer(own);
    }
  });

  it('answers HEAD /health, a trailing slash and a query string', async () => {
    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(head.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await head.text()).toBe('');
    for (const p of ['/health?x=1', '/health/', '/health/?probe=k8s&x=', '/health?']) {
      const res = await fetch(`${base}${p}`);
      expect([p, res.status]).toEqual([p, 200]);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('leaves every other path and method to the app', async () => {
    const healthz = await fetch(`${base}/healthz`);
    expect(healthz.status).toBe(404);
    expect(healthz.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await healthz.json()).toMatchObject({ error: { code: 'not_found' } });

    const post = await fetch(`${base}/health`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: { code: 'not_found' } });

    const nested = await fetch(`${base}/health/x`);
    expect(nested.status).toBe(404);
    await nested.arrayBuffer();

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: true, migrations: true } });
  });

  it('serves the API through the app, with bodies', async () => {
    const setup = await fetch(`${base}/api/tickets/auth/setup/`);
    expect(await setup.json()).toEqual({ needs_setup: true, oidc: { enabled: false, label: null, only: false } });
    const register = await fetch(`${base}/api/tickets/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner', email: 'owner@example.com', password: 'owner password' }),
    });
    expect(register.status).toBe(201);
    await register.arrayBuffer();
    const after = await fetch(`${base}/api/tickets/auth/setup/`);
    expect(await after.json()).toEqual({ needs_setup: false, oidc: { enabled: false, label: null, only: false } });
  });

  it('finishes in-flight requests when closed, then refuses connections', async () => {
    const own = await createHttpServer(t.app);
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const port = (own.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true });
    const get = (path: string) =>
      new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
        const req = httpRequest({ port, host: '127.0.0.1', path, agent }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      // A keep-alive connection left idle, and a request (a database query) still being answered
      // when the server starts closing.
      expect((await get('/health')).connection).toBe('keep-alive');
      let closed: Promise<void> | undefined;
      let started = 0;
      own.once('request', () => {
        started = Date.now();
        closed = closeHttpServer(own);
      });
      const answer = await get('/ready');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
      await closed;
      // Keep-alive sockets were closed once idle, not after their 5 s timeout.
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});
