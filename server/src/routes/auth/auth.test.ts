import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../../../../test/db-url.ts';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const admin = { username: 'root', email: 'root@example.com', password: 'correct horse battery', name: 'Root' };

describe('first-run setup and registration', () => {
  it('needs setup until the first user exists, who becomes superuser', async () => {
    expect((await t.get('/auth/setup/')).body).toEqual({
      needs_setup: true,
      oidc: { enabled: false, label: null, only: false },
    });
    const res = await t.post('/auth/register/', admin);
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: 'root', is_superuser: true, is_active: true });
    expect(res.body.user).not.toHaveProperty('password_hash');
    expect(typeof res.body.access).toBe('string');
    expect((await t.get('/auth/setup')).body).toEqual({
      needs_setup: false,
      oidc: { enabled: false, label: null, only: false },
    });
  });

  it('is closed once a user exists and ALLOW_REGISTRATION is off', async () => {
    const res = await t.post('/auth/register/', { ...admin, username: 'second', email: 'second@example.com' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('rejects a malformed body with the error envelope', async () => {
    const res = await t.post('/auth/register/', { username: 'bad name!', email: 'nope', password: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details)).toEqual(expect.arrayContaining(['username', 'email', 'password']));
  });
});

describe('login, tokens and sessions', () => {
  it('logs in by username or email and sets an HttpOnly cookie', async () => {
    const byName = await t.post('/auth/login/', { username: 'ROOT', password: admin.password });
    expect(byName.status).toBe(200);
    expect(byName.headers.get('set-cookie')).toMatch(/session=.*HttpOnly.*SameSite=Lax/i);
    const byEmail = await t.post('/auth/login/', { email: 'Root@Example.com', password: admin.password });
    expect(byEmail.status).toBe(200);
    const me = await t.get('/auth/me/', { token: byEmail.body.access });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'root', memberships: [], companies: [] });
  });

  it('answers unknown user and wrong password with the same 401', async () => {
    const unknown = await t.post('/auth/login/', { username: 'ghost', password: 'whatever-password' });
    const wrong = await t.post('/auth/login/', { username: 'root', password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refresh rotates, and reusing a rotated token revokes the whole family', async () => {
    const { body } = await t.post('/auth/login/', { username: 'root', password: admin.password });
    const first = await t.post('/auth/refresh/', { refresh: body.refresh });
    expect(first.status).toBe(200);
    expect(first.body.refresh).not.toBe(body.refresh);
    expect((await t.get('/auth/me/', { token: body.access })).status).toBe(401);
    expect((await t.get('/auth/me/', { token: first.body.access })).status).toBe(200);
    const reuse = await t.post('/auth/refresh/', { refresh: body.refresh });
    expect(reuse.status).toBe(401);
    expect((await t.get('/auth/me/', { token: first.body.access })).status).toBe(401);
    expect((await t.post('/auth/refresh/', { refresh: first.body.refresh })).status).toBe(401);
  });

  it('logout ends that session only; logout-all ends every one', async () => {
    const a = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    const b = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    expect((await t.post('/auth/logout/', undefined, { token: a.access })).status).toBe(200);
    expect((await t.get('/auth/me/', { token: a.access })).status).toBe(401);
    expect((await t.post('/auth/refresh/', { refresh: a.refresh })).status).toBe(401);
    expect((await t.get('/auth/me/', { token: b.access })).status).toBe(200);
    const c = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    expect((await t.post('/auth/logout-all/', undefined, { token: c.access })).status).toBe(200);
    expect((await t.get('/auth/me/', { token: b.access })).status).toBe(401);
  });

  it('rejects forged and malformed tokens', async () => {
    const { body } = await t.post('/auth/login/', { username: 'root', password: admin.password });
    const [id] = body.access.split('.');
    for (const token of [`${id}.aaaaaaaaaaaaaaaaaaaaaaaa`, 'garbage', `${id}`, `${body.access}.x`]) {
      expect((await t.get('/auth/me/', { token })).status).toBe(401);
    }
  });
});

describe('password changes and deactivation end sessions', () => {
  it('changing the password ends other sessions and issues a new one', async () => {
    const other = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    const mine = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    const wrong = await t.post(
      '/auth/password/',
      { current_password: 'nope-nope', new_password: 'a brand new secret' },
      { token: mine.access },
    );
    expect(wrong.status).toBe(400);
    const res = await t.post(
      '/auth/password/',
      { current_password: admin.password, new_password: 'a brand new secret' },
      { token: mine.access },
    );
    expect(res.status).toBe(200);
    expect((await t.get('/auth/me/', { token: other.access })).status).toBe(401);
    expect((await t.get('/auth/me/', { token: mine.access })).status).toBe(401);
    expect((await t.get('/auth/me/', { token: res.body.access })).status).toBe(200);
    admin.password = 'a brand new secret';
  });

  it('deactivating a user ends their sessions and refuses login', async () => {
    const root = (await t.post('/auth/login/', { username: 'root', password: admin.password })).body;
    const created = await t.post(
      '/users/',
      { username: 'alice', email: 'alice@example.com', password: 'alice password', name: 'Alice' },
      { token: root.access },
    );
    expect(created.status).toBe(201);
    const alice = (await t.post('/auth/login/', { username: 'alice', password: 'alice password' })).body;
    expect((await t.get('/auth/me/', { token: alice.access })).status).toBe(200);
    const off = await t.patch(`/users/${created.body.id}/`, { is_active: false }, { token: root.access });
    expect(off.status).toBe(200);
    expect((await t.get('/auth/me/', { token: alice.access })).status).toBe(401);
    expect((await t.post('/auth/login/', { username: 'alice', password: 'alice password' })).status).toBe(401);
  });
});

describe('login rate limit', () => {
  it('blocks an account from one address after repeated failures, not from another', async () => {
    const limited = await createTestApp({ LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3' });
    try {
      await limited.post('/auth/register/', admin);
      for (let i = 0; i < 3; i++) {
        const res = await limited.post(
          '/auth/login/',
          { username: 'root', password: 'bad-password' },
          { ip: '10.0.0.66' },
        );
        expect(res.status).toBe(401);
      }
      const blocked = await limited.post(
        '/auth/login/',
        { username: 'root', password: admin.password },
        { ip: '10.0.0.66' },
      );
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      const elsewhere = await limited.post(
        '/auth/login/',
        { username: 'root', password: admin.password },
        { ip: '10.0.0.7' },
      );
      expect(elsewhere.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('shares the counters between instances through Redis when REDIS_URL is set', async () => {
    // A fresh address per run: Redis outlives the test databases.
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const env = { REDIS_URL: redisUrl(), LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '2' };
    const one = await createTestApp(env);
    try {
      await one.post('/auth/register/', admin);
      const two = await createTestApp({ ...env, DATABASE_URL: one.runtime.deps.config.databaseUrl! });
      try {
        expect((await one.post('/auth/login/', { username: 'root', password: 'nope-nope' }, { ip })).status).toBe(401);
        expect((await two.post('/auth/login/', { username: 'root', password: 'nope-nope' }, { ip })).status).toBe(401);
        const blocked = await one.post('/auth/login/', { username: 'root', password: admin.password }, { ip });
        expect(blocked.status).toBe(429);
        const ready = await two.get('//ready');
        expect(ready.body.checks.redis).toBe(true);
      } finally {
        await two.runtime.close();
      }
    } finally {
      await one.close();
    }
  });
});
