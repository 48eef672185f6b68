import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const su = () => ({ token: w.tokens.superuser });

describe('audit log', () => {
  it('records sign-ins and failed sign-ins with the client address and user agent', async () => {
    const headers = { 'user-agent': 'AuditTest/1.0' };
    expect((await t.post('/auth/login/', { username: 'user', password: 'nope nope' }, { headers })).status).toBe(401);
    expect((await t.post('/auth/login/', { username: 'user', password: 'world password 1' }, { headers })).status).toBe(
      200,
    );
    const failed = await t.get('/audit/?action=auth.login_failed', su());
    expect(failed.status).toBe(200);
    expect(failed.body.results[0]).toMatchObject({
      action: 'auth.login_failed',
      actor: null,
      target_type: 'user',
      target_id: String(w.ids.user),
      user_agent: 'AuditTest/1.0',
      data: { login: 'user' },
    });
    expect(failed.body.results[0].ip).toEqual(expect.any(String));
    const ok = await t.get(`/audit/?action=auth.login&actor=${w.ids.user}`, su());
    expect(ok.body.results[0]).toMatchObject({ actor: { id: w.ids.user, username: 'user' }, action: 'auth.login' });
  });

  it('records user changes, never their values', async () => {
    const res = await t.patch(`/users/${w.ids.outsider}/`, { name: 'Renamed', password: 'a new password 1' }, su());
    expect(res.status).toBe(200);
    const { body } = await t.get(`/audit/?action=user.changed`, su());
    expect(body.results[0]).toMatchObject({
      target_id: String(w.ids.outsider),
      data: { fields: ['name', 'password'] },
    });
    expect(JSON.stringify(body.results[0])).not.toContain('a new password 1');
  });

  it('writes nothing for a change that rolled back (in the same transaction)', async () => {
    const before = (await t.get('/audit/?action=user.changed', su())).body.count;
    const taken = await t.patch(`/users/${w.ids.outsider}/`, { name: 'X', email: 'user@example.com' }, su());
    expect(taken.status).toBe(409);
    expect((await t.get('/audit/?action=user.changed', su())).body.count).toBe(before);
  });

  it('filters by time and paginates', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await t.get(`/audit/?since=${encodeURIComponent(future)}`, su())).body.count).toBe(0);
    const all = (await t.get('/audit/?page_size=2', su())).body;
    expect(all.results).toHaveLength(2);
    expect(all.count).toBeGreaterThan(2);
    expect(all.next).toContain('page=2');
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await t.get(`/audit/?until=${encodeURIComponent(past)}`, su())).body.count).toBe(0);
  });

  it('is for the instance superuser only', async () => {
    for (const name of ['superadmin', 'admin', 'companyAdmin', 'user'] as const) {
      expect((await t.get('/audit/', { token: w.tokens[name] })).status).toBe(403);
    }
    expect((await t.get('/audit/')).status).toBe(401);
  });

  it('refuses an unknown action filter with 400', async () => {
    expect((await t.get('/audit/?action=nope', su())).status).toBe(400);
  });
});
