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

  it('moves a person between budgets as their roles change, with their credential cached', async () => {
    // Staffness is read with the credential and cached with it (no query of its own per write):
    // a role granted or taken away (a member added or removed, a project deleted) announces
    // access-changed, which drops the cached credential, so the next write counts in the new budget.
    const ctx = await createTestApp({ RATE_LIMIT_WRITES_PER_MINUTE: '4,2,4', SESSION_CACHE_SECONDS: '300' });
    try {
      const password = 'correct horse battery';
      const su = (await ctx.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body
        .access as string;
      const made = await ctx.post(
        '/users/',
        { username: 'plain', email: 'plain@example.com', password },
        { token: su },
      );
      const plain = (await ctx.post('/auth/login/', { username: 'plain', password })).body.access as string;
      expect(await writes(ctx, plain, 3)).toEqual([200, 200, 429]);
      const project = await ctx.post('/projects/', { name: 'Budgets', key: 'BUD' }, { token: su });
      const member = { user_id: made.body.id, role: 'user' };
      expect((await ctx.post(`/projects/${project.body.id}/members/`, member, { token: su })).status).toBe(201);
      expect(await writes(ctx, plain, 2)).toEqual([200, 200]);
      expect((await ctx.del(`/projects/${project.body.id}/`, { token: su })).status).toBe(204);
      // Back in the company people's budget, which is spent.
      expect(await writes(ctx, plain, 1)).toEqual([429]);
    } finally {
      await ctx.close();
    }
  });

  it('does not count anyone in the default test setup (the harness raises the budgets)', async () => {
    expect(await writes(t, w.tokens.companyUser, 130)).not.toContain(429);
  });
});
