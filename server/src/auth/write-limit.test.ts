import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

/** Sends `n` unsafe requests and returns their statuses. */
async function writes(t: TestApp, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await t.post('/notifications/read-all/', undefined, { token })).status);
  return out;
}

describe('rate limits by role for unsafe requests', () => {
  it('gives staff, company people and API tokens their own budgets, then 429 with Retry-After', async () => {
    const ctx = await createTestApp({ RATE_LIMIT_WRITES_PER_MINUTE: '5,3,4' });
    try {
      const password = 'correct horse battery';
      const root = await ctx.post('/auth/register/', { username: 'root', email: 'root@example.com', password });
      const su = root.body.access as string;
      // Two of the superuser's five (staff) writes: a user with no project role, and a token.
      await ctx.post('/users/', { username: 'plain', email: 'plain@example.com', password }, { token: su });
      const token = await ctx.post('/auth/tokens/', { name: 'ci', scope: 'write' }, { token: su });
      const plain = (await ctx.post('/auth/login/', { username: 'plain', password })).body.access as string;
      expect(await writes(ctx, su, 4)).toEqual([200, 200, 200, 429]);
      expect(await writes(ctx, plain, 4)).toEqual([200, 200, 200, 429]);
      expect(await writes(ctx, token.body.token, 5)).toEqual([200, 200, 200, 200, 429]);
      const refused = await ctx.post('/notifications/read-all/', undefined, { token: plain });
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Reads are not counted.
      expect((await ctx.get('/auth/me/', { token: plain })).status).toBe(200);
    } finally {
      await ctx.close();
    }
  });

  it('does not count anyone in the default test setup (the harness raises the budgets)', async () => {
    expect(await writes(t, w.tokens.companyUser, 130)).not.toContain(429);
  });
});
