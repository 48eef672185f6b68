/**
 * Issue 14, rows 2 and 12: the login throttle under parallel guesses, and guesses spread over
 * many addresses (docs/decisions/0004 and 0020). Every test runs with the in-memory limiter
 * and with the Redis one. Client addresses are set through `X-Forwarded-For` with
 * TRUST_PROXY_HEADERS, as behind the proxy a deployment has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../../../test/db-url.ts';
import { createTestApp, type TestApp, type TestResponse } from '../../../test/harness.ts';

const OWNER = { username: 'owner', email: 'owner@example.com', password: 'the owner password 1' };

/** A random address per run: Redis outlives the test databases. */
const randomIp = (prefix: number) =>
  `${prefix}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** The `name=value` of a cookie the response sets, or null. */
function setCookie(res: TestResponse, name: string): string | null {
  const found = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return found ? found.split(';')[0]! : null;
}

const tally = (responses: TestResponse[]) => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

const LIMITERS = [
  ['in-memory', {}],
  ['Redis', { REDIS_URL: redisUrl() }],
] as const;

describe.each(LIMITERS)('issue 14 row 2: login throttle raced (%s limiter)', (_name, env) => {
  let t: TestApp;
  beforeAll(async () => {
    // The per-account cap (row 12) out of the way: these count one address's allowance.
    t = await createTestApp({ ...env, TRUST_PROXY_HEADERS: 'true', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP: '1000' });
    await t.post('/auth/register/', OWNER);
  });
  afterAll(() => t.close());

  it('row 2: 40 parallel wrong logins for one account from one address: 10 × 401, then 429', async () => {
    const ip = randomIp(10);
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        t.post(
          '/auth/login/',
          { username: OWNER.username, password: 'wrong password' },
          { headers: { 'x-forwarded-for': ip } },
        ),
      ),
    );
    expect(tally(responses)).toEqual({ 401: 10, 429: 30 });
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(res.body.error.code).toBe('rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Refused attempts cost nothing more: still 429 from here, and the owner elsewhere signs in.
    const again = await t.post(
      '/auth/login/',
      { username: OWNER.username, password: OWNER.password },
      { headers: { 'x-forwarded-for': ip } },
    );
    expect(again.status).toBe(429);
    const elsewhere = await t.post(
      '/auth/login/',
      { username: OWNER.username, password: OWNER.password },
      { headers: { 'x-forwarded-for': randomIp(11) } },
    );
    expect(elsewhere.status).toBe(200);
  });

  it('row 2: the right password on the last allowed attempt signs in and gives the charge back', async () => {
    const ip = randomIp(12);
    const login = (password: string) =>
      t.post('/auth/login/', { username: OWNER.username, password }, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 9; i++) expect((await login('wrong password')).status).toBe(401);
    expect((await login(OWNER.password)).status).toBe(200);
    // The success cleared this address's failures: a full allowance again, then 429.
    const after = await Promise.all(Array.from({ length: 12 }, () => login('wrong password')));
    expect(tally(after)).toEqual({ 401: 10, 429: 2 });
  });
});

describe.each(LIMITERS)('issue 14 row 12: guesses spread over many addresses (%s limiter)', (_name, env) => {
  let t: TestApp;
  const home = randomIp(20);
  let device: string;
  beforeAll(async () => {
    t = await createTestApp({ ...env, TRUST_PROXY_HEADERS: 'true' });
    await t.post('/auth/register/', OWNER);
    // The owner has signed in from this browser before: it holds a known-device cookie.
    const first = await t.post(
      '/auth/login/',
      { username: OWNER.username, password: OWNER.password },
      { headers: { 'x-forwarded-for': home } },
    );
    expect(first.status).toBe(200);
    device = setCookie(first, 'device')!;
    expect(device).toMatch(/^device=\S+$/);
    const attributes = first.headers.getSetCookie().find((c) => c.startsWith('device='))!;
    expect(attributes).toMatch(/HttpOnly/i);
    expect(attributes).toMatch(/SameSite=Strict/i);
    expect(attributes).toMatch(/Path=\//i);
  });
  afterAll(() => t.close());

  it('row 12: 200 wrong passwords from 20 addresses try at most the per-account cap; the owner on a known device still signs in', async () => {
    const cap = t.runtime.deps.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP;
    const addresses = Array.from({ length: 20 }, (_, i) => `${randomIp(30 + i)}`);
    // The 20 addresses guess at once, each one guess after another, 10 guesses each.
    const responses = (
      await Promise.all(
        addresses.map(async (ip) => {
          const mine: TestResponse[] = [];
          for (let i = 0; i < 10; i++) {
            mine.push(
              await t.post(
                '/auth/login/',
                { username: OWNER.username, password: `guess ${ip} ${i}` },
                { headers: { 'x-forwarded-for': ip } },
              ),
            );
          }
          return mine;
        }),
      )
    ).flat();
    const counts = tally(responses);
    expect(responses).toHaveLength(200);
    // Every 401 is a guess that reached the password check.
    expect(counts[401] ?? 0).toBeLessThanOrEqual(cap);
    expect(counts[429]).toBe(200 - (counts[401] ?? 0));
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    // The right password from a new browser is slowed too: the cap answers before the
    // password is checked, so a 429 tells an attacker nothing about the guess.
    const stranger = await t.post(
      '/auth/login/',
      { username: OWNER.username, password: OWNER.password },
      { headers: { 'x-forwarded-for': randomIp(60) } },
    );
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);

    // The owner, on the browser they signed in with before, from home and from a new address.
    for (const ip of [home, randomIp(61)]) {
      const owner = await t.post(
        '/auth/login/',
        { username: OWNER.username, password: OWNER.password },
        { headers: { 'x-forwarded-for': ip, cookie: device } },
      );
      expect(owner.status, JSON.stringify(owner.body)).toBe(200);
      // Each sign-in hands out a fresh device cookie, and the old one stops counting.
      const renewed = setCookie(owner, 'device');
      expect(renewed).not.toBeNull();
      expect(renewed).not.toBe(device);
      device = renewed!;
    }
  });

  it('row 12: a known device is known for its own account only, and its wrong guesses are capped', async () => {
    const signedIn = await t.post(
      '/auth/login/',
      { username: OWNER.username, password: OWNER.password },
      { headers: { 'x-forwarded-for': home, cookie: device } },
    );
    expect(signedIn.status).toBe(200);
    device = setCookie(signedIn, 'device')!;
    const other = await t.post(
      '/users/',
      { username: 'other', email: 'other@example.com', password: 'the other password 1' },
      { token: signedIn.body.access },
    );
    expect(other.status).toBe(201);
    // The owner's device cookie does not vouch for another account: spend `other`'s budget
    // from many addresses, then `other` is refused even with the owner's cookie.
    const cap = t.runtime.deps.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP;
    for (let i = 0; i < cap + 5; i++) {
      await t.post(
        '/auth/login/',
        { username: 'other', password: 'wrong password' },
        { headers: { 'x-forwarded-for': randomIp(70) } },
      );
    }
    const borrowed = await t.post(
      '/auth/login/',
      { username: 'other', password: 'the other password 1' },
      { headers: { 'x-forwarded-for': home, cookie: device } },
    );
    expect(borrowed.status).toBe(429);

    // Wrong guesses from the owner's own device are capped per device: after
    // LOGIN_MAX_ATTEMPTS_PER_ACCOUNT of them the device counts as unknown (and the account's
    // budget is spent, so: 429), from any address.
    const perDevice = t.runtime.deps.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT;
    const statuses: number[] = [];
    for (let i = 0; i < perDevice + 2; i++) {
      const res = await t.post(
        '/auth/login/',
        { username: OWNER.username, password: 'wrong password' },
        { headers: { 'x-forwarded-for': randomIp(80), cookie: device } },
      );
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(perDevice);
    expect(statuses.slice(perDevice)).toEqual([429, 429]);
  });
});
