import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { closeHttpServer, createHttpServer } from './http-server.ts';
import { API_BRIDGE, isServerPath, loadWebApp, type WebHandler } from './web.ts';

/**
 * A stand-in for adapter-node's `handler.js`: `/next` passes on, `/boom` throws, `/reject`
 * rejects, and any other path renders "a page" that asks the API, through the in-process
 * bridge, who is signed in, the way the real app's server rendering does (with an https://
 * URL, as adapter-node names the origin by default).
 */
const FAKE_HANDLER = `
export const handler = async (req, res, next) => {
  if (req.url === '/next') return next();
  if (req.url === '/boom') throw new Error('boom');
  if (req.url === '/reject') return Promise.reject(new Error('rejected'));
  const api = globalThis[Symbol.for('laneway.api')];
  const answer = await api(new Request('https://' + req.headers.host + '/api/tickets/auth/me/', {
    headers: { cookie: req.headers.cookie ?? '' },
  }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, api: answer.status, user: (await answer.json()).username ?? null }));
};
`;

describe('isServerPath', () => {
  it.each([
    '/api',
    '/api/',
    '/api/tickets/projects/',
    '/api/docs',
    '/api?x=1',
    '/ws',
    '/ws/',
    '/ws/projects/1/tickets/',
    '/health',
    '/health/',
    '/healthz',
    '/ready',
    '/ready?verbose=1',
    '/db-check',
    '/metrics',
  ])('%s is the server’s', (url) => {
    expect(isServerPath(url)).toBe(true);
  });

  it.each([
    '/',
    '/login',
    '/setup',
    '/projects/7',
    '/_app/immutable/entry/app.js',
    '/favicon.svg',
    '/apis',
    '/wsx',
    '/readyz',
    '/api-docs',
  ])('%s is the web app’s', (url) => {
    expect(isServerPath(url)).toBe(false);
  });
});

describe('the web app on the API server', () => {
  let t: TestApp;
  let buildDir: string;
  let servers: Server[] = [];

  async function listen(web: WebHandler): Promise<string> {
    const server = await createHttpServer(t.app, { web });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    // No PUBLIC_URL: the app's own origin is the request's, as on a plain-http install.
    t = await createTestApp({ PUBLIC_URL: '' });
    buildDir = await mkdtemp(path.join(tmpdir(), 'laneway-web-build-'));
    await writeFile(path.join(buildDir, 'handler.js'), FAKE_HANDLER);
  });

  afterAll(async () => {
    for (const server of servers) await closeHttpServer(server);
    servers = [];
    delete (globalThis as Record<symbol, unknown>)[API_BRIDGE];
    await t?.close();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  it('answers web paths with a 503 page naming the build command while web/build is missing', async () => {
    const missing = path.join(buildDir, 'does-not-exist');
    const base = await listen(await loadWebApp(t.app, t.runtime.deps.logger, missing));

    const page = await fetch(`${base}/projects/1`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('npm run build -w web');

    // The API, health and readiness paths are untouched.
    const setup = await fetch(`${base}/api/tickets/auth/setup/`);
    expect(setup.status).toBe(200);
    expect(await setup.json()).toEqual({ needs_setup: true, oidc: { enabled: false, label: null, only: false } });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const unknownApi = await fetch(`${base}/api/tickets/nothing-here/`);
    expect(unknownApi.status).toBe(404);
    expect((await unknownApi.json()).error.code).toBe('not_found');
  });

  it('mounts the build’s handler for every other path, with the API in-process for server rendering', async () => {
    const base = await listen(await loadWebApp(t.app, t.runtime.deps.logger, buildDir));
    const registered = await t.post('/auth/register/', {
      username: 'webby',
      email: 'webby@laneway.test',
      password: 'correct horse battery',
    });
    expect(registered.status).toBe(201);

    // Signed in by the plain-http cookie: the bridge hands the API an http:// request, so it
    // reads `session`, not the `__Host-session` of an https origin.
    const page = await fetch(`${base}/projects/1`, { headers: { cookie: `session=${registered.body.access}` } });
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ path: '/projects/1', api: 200, user: 'webby' });

    const anonymous = await fetch(`${base}/`);
    expect(await anonymous.json()).toEqual({ path: '/', api: 401, user: null });

    // Server paths never reach the web app.
    const api = await fetch(`${base}/api/tickets/auth/setup/`);
    expect(await api.json()).toEqual({ needs_setup: false, oidc: { enabled: false, label: null, only: false } });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
  });

  it('answers 404 when the handler passes, and 500 when it throws or rejects', async () => {
    const base = await listen(await loadWebApp(t.app, t.runtime.deps.logger, buildDir));
    expect((await fetch(`${base}/next`)).status).toBe(404);
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/reject`)).status).toBe(500);
    // And the server is still up.
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
