import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';

let t: TestApp;
let access: string;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp({ CORS_ALLOWED_ORIGINS: 'https://desk.example.com' });
  const res = await t.post('/auth/register/', {
    username: 'root',
    email: 'root@example.com',
    password: 'root password 1',
  });
  access = res.body.access;
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(() => t.close());

const create = (headers: Record<string, string>, token?: string) =>
  t.post('/projects/', { name: `P ${Math.random()}`, key: `K${Math.floor(Math.random() * 1e6)}` }, { headers, token });

describe('cookie sessions and the CSRF origin check', () => {
  it('authenticates GETs by the session cookie', async () => {
    const res = await t.get('/auth/me/', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('root');
  });

  it('accepts an unsafe cookie request from our own origin or same-origin fetch metadata', async () => {
    expect((await create({ cookie, origin: 'http://laneway.test' })).status).toBe(201);
    expect((await create({ cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await create({ cookie, origin: 'https://desk.example.com' })).status).toBe(201);
  });

  it('refuses an unsafe cookie request from another origin, or with no origin at all', async () => {
    const evil = await create({ cookie, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('forbidden');
    expect((await create({ cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await create({ cookie })).status).toBe(403);
    const count = await t.sql`select count(*)::int as n from projects where name like 'P %'`;
    expect(count[0]!.n).toBe(3);
  });

  it('exempts Bearer requests, which a browser cannot forge cross-site', async () => {
    expect((await create({ origin: 'https://evil.example' }, access)).status).toBe(201);
  });

  it('logout clears the cookie and ends the session', async () => {
    const login = await t.post('/auth/login/', { username: 'root', password: 'root password 1' });
    const c = login.headers.get('set-cookie')!.split(';')[0]!;
    const out = await t.post('/auth/logout/', undefined, { headers: { cookie: c, origin: 'http://laneway.test' } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/session=;/);
    expect((await t.get('/auth/me/', { headers: { cookie: c } })).status).toBe(401);
  });
});

describe('HTTPS cookies', () => {
  it('uses a __Host- cookie with Secure when PUBLIC_URL is https, and reads it back', async () => {
    const https = await createTestApp({ PUBLIC_URL: 'https://laneway.example.com' });
    try {
      const res = await https.post('/auth/register/', {
        username: 'a',
        email: 'a@example.com',
        password: 'password a1',
      });
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^__Host-session=/);
      expect(setCookie).toMatch(/Secure/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/Path=\//);
      const me = await https.get('/auth/me/', { headers: { cookie: setCookie.split(';')[0]! } });
      expect(me.status).toBe(200);
    } finally {
      await https.close();
    }
  });
});

describe('CORS and headers', () => {
  it('allows only configured origins, with credentials', async () => {
    const ok = await t.request('OPTIONS', '/projects/', {
      headers: { origin: 'https://desk.example.com', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://desk.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const no = await t.request('OPTIONS', '/projects/', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers on every response, errors included', async () => {
    for (const res of [await t.get('//health'), await t.get('/nope/'), await t.get('/auth/me/')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age/);
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  it('keeps the old X-Super-Secret-Key back door closed', async () => {
    const res = await t.get('/projects/', { headers: { 'x-super-secret-key': 'dev-super-secret-key-12345' } });
    expect(res.status).toBe(401);
  });
});

describe('health, readiness and docs', () => {
  it('answers /health, /ready and /db-check', async () => {
    // A worker that beat just now (workers/src/worker.test.ts runs a real one).
    await t.sql`insert into worker_heartbeats (id) values ('http-security-test')`;
    expect((await t.get('//health')).body).toEqual({ status: 'ok' });
    const ready = await t.get('//ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ postgres: true, migrations: true });
    const db = await t.get('//db-check');
    expect(db.body.status).toBe('ok');
  });

  it('reports 503 naming the failed dependency', async () => {
    const { redis } = t.runtime.deps.readinessChecks;
    t.runtime.deps.readinessChecks.redis = async () => false;
    try {
      const res = await t.get('//ready');
      expect(res.status).toBe(503);
      expect(res.body.checks.redis).toBe(false);
    } finally {
      if (redis) t.runtime.deps.readinessChecks.redis = redis;
      else delete t.runtime.deps.readinessChecks.redis;
    }
  });

  it('serves the OpenAPI document and an offline docs page', async () => {
    const doc = await t.get('//api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/tickets/tickets/{id}/move']));
    const page = await t.get('//api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/docs/scalar.js');
    expect(page.body).not.toMatch(/https?:\/\/(?!laneway)[a-z0-9.-]+\//i);
    const script = await t.get('//api/docs/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
