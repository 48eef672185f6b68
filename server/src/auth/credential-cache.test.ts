/**
 * The credential cache (docs/decisions/0047) across two instances that share one PostgreSQL
 * database and one Redis: every way a session ends, or what it may do changes, on instance A
 * must be refused on instance B at its very next request, although B had the session cached.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from './api-tokens.ts';
import { CredentialCache, type Resolved } from './credential-cache.ts';
import { redisUrl } from '../../../test/db-url.ts';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { closeHttpServer, createHttpServer } from '../http-server.ts';
import { createMemoryBus } from '../realtime/bus.ts';
import { emitControl, withPublisher } from '../services/publish.ts';

const PASSWORD = 'cache password 1';

let a: TestApp;
let b: TestApp;
let w: World;
let n = 0;
/**
 * B answers over a real socket, as another instance would: a request reaches it as network
 * input, after the control message that Redis delivered before A answered.
 */
let serverB: Server;
let urlB: string;

const onB = {
  async get(path: string, { token }: { token: string }) {
    const res = await fetch(`${urlB}/api/tickets${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
  },
};

beforeAll(async () => {
  a = await createTestApp({ REDIS_URL: redisUrl(), SESSION_CACHE_SECONDS: '300' });
  b = await createTestApp({
    REDIS_URL: redisUrl(),
    DATABASE_URL: a.runtime.deps.config.databaseUrl!,
    SESSION_CACHE_SECONDS: '300',
  });
  w = await buildWorld(a);
  serverB = await createHttpServer(b.app);
  await new Promise<void>((resolve) => serverB.listen(0, '127.0.0.1', resolve));
  urlB = `http://127.0.0.1:${(serverB.address() as AddressInfo).port}`;
  // Both caches hear control messages through Redis before the tests rely on it.
  await a.runtime.deps.bus.whenSubscribed?.('control');
  await b.runtime.deps.bus.whenSubscribed?.('control');
});
afterAll(async () => {
  await closeHttpServer(serverB);
  await b.runtime.close();
  await a.close();
});

/** A new user with a session: its id, access and refresh tokens. */
async function freshUser(superuser = false) {
  const username = `cached${++n}`;
  const made = await a.post(
    '/users/',
    { username, email: `${username}@example.com`, password: PASSWORD },
    { token: w.tokens.superuser },
  );
  expect(made.status).toBe(201);
  if (superuser) {
    const patched = await a.patch(`/users/${made.body.id}/`, { is_superuser: true }, { token: w.tokens.superuser });
    expect(patched.status).toBe(200);
  }
  const login = await a.post('/auth/login/', { username, password: PASSWORD });
  expect(login.status).toBe(200);
  return { id: made.body.id as number, username, access: login.body.access as string, refresh: login.body.refresh };
}

/** Makes B cache the token (and checks it is served). */
async function warm(token: string) {
  expect((await onB.get('/auth/me/', { token })).status).toBe(200);
  expect((await a.get('/auth/me/', { token })).status).toBe(200);
}

describe('credential cache across two instances on one Redis', () => {
  it('serves a cached session without the database: a row deleted behind the servers’ backs still answers', async () => {
    // This is why every path that ends a session must announce it: the cache really is used.
    const u = await freshUser();
    await warm(u.access);
    await a.sql`delete from sessions where user_id = ${u.id}`;
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(200);
    // An instance that never saw the token reads the database.
    const c = await createTestApp({
      REDIS_URL: redisUrl(),
      DATABASE_URL: a.runtime.deps.config.databaseUrl!,
      SESSION_CACHE_SECONDS: '300',
    });
    try {
      expect((await c.get('/auth/me/', { token: u.access })).status).toBe(401);
    } finally {
      await c.runtime.close();
    }
  });

  it('logout on A: the next request on B is 401', async () => {
    const u = await freshUser();
    await warm(u.access);
    expect((await a.post('/auth/logout/', undefined, { token: u.access })).status).toBeLessThan(300);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
  });

  it('sign out everywhere on A: every session of the user is 401 on B', async () => {
    const u = await freshUser();
    const other = (await a.post('/auth/login/', { username: u.username, password: PASSWORD })).body.access;
    await warm(u.access);
    await warm(other);
    expect((await a.post('/auth/logout-all/', undefined, { token: u.access })).status).toBeLessThan(300);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: other })).status).toBe(401);
  });

  it('a session ended from the account page on A is 401 on B', async () => {
    const u = await freshUser();
    const other = (await a.post('/auth/login/', { username: u.username, password: PASSWORD })).body.access;
    await warm(other);
    const id = other.split('.')[0];
    expect((await a.del(`/auth/sessions/${id}/`, { token: u.access })).status).toBeLessThan(300);
    expect((await onB.get('/auth/me/', { token: other })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(200);
  });

  it('password change on A: the old sessions are 401 on B, the new one works there', async () => {
    const u = await freshUser();
    const other = (await a.post('/auth/login/', { username: u.username, password: PASSWORD })).body.access;
    await warm(u.access);
    await warm(other);
    const changed = await a.post(
      '/auth/password/',
      { current_password: PASSWORD, new_password: 'a brand new password 2' },
      { token: u.access },
    );
    expect(changed.status).toBe(200);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: other })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: changed.body.access })).status).toBe(200);
  });

  it('password reset on A: the sessions are 401 on B', async () => {
    const u = await freshUser();
    await warm(u.access);
    // The reset mail's token, made here as requestReset would (the mail itself has its own tests).
    const token = `cachereset${n}`.padEnd(52, 'a');
    await a.sql`insert into password_resets (user_id, token_hash, expires_at)
      values (${u.id}, ${Buffer.from(hashToken(token))}, now() + interval '1 hour')`;
    const reset = await a.post('/auth/password-reset/confirm/', { token, password: 'a reset password 3' });
    expect(reset.status).toBeLessThan(300);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
  });

  it('deactivation on A: the user is 401 on B', async () => {
    const u = await freshUser();
    await warm(u.access);
    expect((await a.patch(`/users/${u.id}/`, { is_active: false }, { token: w.tokens.superuser })).status).toBe(200);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
  });

  it('the superuser flag taken away on A: B no longer treats the session as a superuser', async () => {
    const u = await freshUser(true);
    await warm(u.access);
    expect((await onB.get('/users/', { token: u.access })).status).toBe(200);
    expect((await onB.get('/auth/me/', { token: u.access })).body.is_superuser).toBe(true);
    expect((await a.patch(`/users/${u.id}/`, { is_superuser: false }, { token: w.tokens.superuser })).status).toBe(200);
    expect((await onB.get('/auth/me/', { token: u.access })).body.is_superuser).toBe(false);
    expect((await onB.get('/users/', { token: u.access })).status).toBe(403);
  });

  it('an API token revoked on A is 401 on B', async () => {
    const u = await freshUser();
    const made = await a.post('/auth/tokens/', { name: 'ci', scope: 'read' }, { token: u.access });
    expect(made.status).toBe(201);
    await warm(made.body.token);
    expect((await a.del(`/auth/tokens/${made.body.id}/`, { token: u.access })).status).toBeLessThan(300);
    expect((await onB.get('/auth/me/', { token: made.body.token })).status).toBe(401);
  });

  it('a refresh on A: the old access token is 401 on B, the new one works', async () => {
    const u = await freshUser();
    await warm(u.access);
    const refreshed = await a.post('/auth/refresh/', { refresh: u.refresh });
    expect(refreshed.status).toBe(200);
    expect((await onB.get('/auth/me/', { token: u.access })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: refreshed.body.access })).status).toBe(200);
  });

  it('a reused refresh token on A ends the session on B', async () => {
    const u = await freshUser();
    const refreshed = await a.post('/auth/refresh/', { refresh: u.refresh });
    await warm(refreshed.body.access);
    expect((await a.post('/auth/refresh/', { refresh: u.refresh })).status).toBe(401);
    expect((await onB.get('/auth/me/', { token: refreshed.body.access })).status).toBe(401);
  });
});

describe('credential cache, one process', () => {
  const resolved = (sessionId: string, userId: number): Resolved => ({
    actor: { id: userId, username: `u${userId}`, isSuperuser: false },
    sessionId,
    staff: false,
    cacheUntil: Number.POSITIVE_INFINITY,
  });

  it('a lookup in flight when its session is revoked does not put it back', async () => {
    const bus = createMemoryBus();
    const cache = new CredentialCache(60, bus);
    let finish!: () => void;
    const pending = cache.resolve('tok', async () => {
      await new Promise<void>((r) => (finish = r));
      return resolved('s1', 1);
    });
    await Promise.resolve();
    withPublisher(bus, () => emitControl({ kind: 'session-revoked', sessionId: 's1' }, true));
    finish();
    expect(await pending).not.toBeNull();
    expect(cache.size).toBe(0);
    let loads = 0;
    await cache.resolve('tok', async () => (loads++, resolved('s1', 1)));
    await cache.resolve('tok', async () => (loads++, resolved('s1', 1)));
    expect(loads).toBe(1);
    cache.close();
  });

  it('keeps nothing past the credential’s own expiry, nothing invalid, and nothing at 0 seconds', async () => {
    const bus = createMemoryBus();
    const cache = new CredentialCache(60, bus);
    await cache.resolve('expiring', async () => ({ ...resolved('s2', 2), cacheUntil: Date.now() - 1 }));
    await cache.resolve('wrong', async () => null);
    expect(cache.size).toBe(0);
    cache.close();
    const off = new CredentialCache(0, bus);
    await off.resolve('tok', async () => resolved('s3', 3));
    expect(off.size).toBe(0);
    off.close();
  });

  it('a user-revoked or access-changed message drops every entry of that user, and only theirs', async () => {
    const bus = createMemoryBus();
    const cache = new CredentialCache(60, bus);
    await cache.resolve('one', async () => resolved('s4', 4));
    await cache.resolve('two', async () => resolved('s5', 4));
    await cache.resolve('three', async () => resolved('s6', 5));
    withPublisher(bus, () => emitControl({ kind: 'user-revoked', userId: 4 }, true));
    expect(cache.size).toBe(1);
    withPublisher(bus, () => emitControl({ kind: 'access-changed', userId: 5 }, true));
    expect(cache.size).toBe(0);
    cache.close();
  });
});
