import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';

const password = 'correct horse battery';
/** The code of the step `offset` steps from now, as an authenticator app computes it. */
const codeAt = (secret: string, offset = 0) =>
  generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

interface Enrolled {
  secret: string;
  recovery: string[];
  token: string;
}

async function newUser(t: TestApp, su: string, name: string): Promise<{ id: number; token: string }> {
  const made = await t.post('/users/', { username: name, email: `${name}@example.com`, password }, { token: su });
  expect(made.status).toBe(201);
  const login = await t.post('/auth/login/', { username: name, password });
  return { id: made.body.id, token: login.body.access };
}

async function enrol(t: TestApp, token: string): Promise<Enrolled> {
  const setup = await t.post('/auth/2fa/setup/', { password }, { token });
  expect(setup.status).toBe(200);
  expect(setup.body.otpauth_url).toMatch(/^otpauth:\/\/totp\//);
  expect(setup.body.qr_svg).toMatch(/^<svg/);
  const enabled = await t.post('/auth/2fa/enable/', { code: codeAt(setup.body.secret) }, { token });
  expect(enabled.status).toBe(200);
  expect(enabled.body.recovery_codes).toHaveLength(10);
  return { secret: setup.body.secret, recovery: enabled.body.recovery_codes, token };
}

describe('TOTP two-factor authentication', () => {
  let t: TestApp;
  let su: string;
  beforeAll(async () => {
    t = await createTestApp();
    su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
  });
  afterAll(() => t.close());

  it('signs in in two steps: no session or cookie for the password alone', async () => {
    const u = await newUser(t, su, 'alice');
    const e = await enrol(t, u.token);
    const first = await t.post('/auth/login/', { username: 'alice', password });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ mfa_required: true, mfa_token: expect.stringMatching(/^[a-z2-7]{52}$/) });
    expect(first.headers.get('set-cookie') ?? '').not.toMatch(/(^|, )session=/);
    const second = await t.post('/auth/login/2fa/', { mfa_token: first.body.mfa_token, code: codeAt(e.secret, 1) });
    expect(second.status).toBe(200);
    expect(second.headers.get('set-cookie')).toMatch(/session=/);
    expect((await t.get('/auth/me/', { token: second.body.access })).body.username).toBe('alice');
    // The challenge is spent.
    const again = await t.post('/auth/login/2fa/', { mfa_token: first.body.mfa_token, code: codeAt(e.secret, 1) });
    expect(again.status).toBe(401);
  });

  it('totp_replay: a code accepted once is refused inside its window, and so is an older one', async () => {
    const u = await newUser(t, su, 'bob');
    const e = await enrol(t, u.token);
    const code = codeAt(e.secret, 1);
    const a = await t.post('/auth/login/', { username: 'bob', password });
    expect((await t.post('/auth/login/2fa/', { mfa_token: a.body.mfa_token, code })).status).toBe(200);
    const b = await t.post('/auth/login/', { username: 'bob', password });
    expect((await t.post('/auth/login/2fa/', { mfa_token: b.body.mfa_token, code })).status).toBe(401);
    expect((await t.post('/auth/login/2fa/', { mfa_token: b.body.mfa_token, code: codeAt(e.secret, 0) })).status).toBe(
      401,
    );
  });

  it('recovery_code_reuse: each recovery code signs in once', async () => {
    const u = await newUser(t, su, 'carol');
    const e = await enrol(t, u.token);
    const a = await t.post('/auth/login/', { username: 'carol', password });
    const used = e.recovery[3]!.toUpperCase();
    expect((await t.post('/auth/login/2fa/', { mfa_token: a.body.mfa_token, recovery_code: used })).status).toBe(200);
    const b = await t.post('/auth/login/', { username: 'carol', password });
    expect((await t.post('/auth/login/2fa/', { mfa_token: b.body.mfa_token, recovery_code: used })).status).toBe(401);
    expect(
      (await t.post('/auth/login/2fa/', { mfa_token: b.body.mfa_token, recovery_code: e.recovery[4] })).status,
    ).toBe(200);
    // Stored only hashed, and the TOTP secret only sealed.
    const codes = await t.sql`select code_hash from recovery_codes where user_id = ${u.id}`;
    expect(codes).toHaveLength(10);
    const dump = JSON.stringify(await t.sql`select * from user_totp where user_id = ${u.id}`);
    expect(dump).not.toContain(e.secret);
    expect(JSON.stringify(codes)).not.toContain(e.recovery[0]!.replace(/-/g, ''));
  });

  it('mfa_token_brute_force: a challenge dies after five wrong tries', async () => {
    const u = await newUser(t, su, 'dave');
    const e = await enrol(t, u.token);
    const a = await t.post('/auth/login/', { username: 'dave', password });
    for (let i = 0; i < 5; i++) {
      expect((await t.post('/auth/login/2fa/', { mfa_token: a.body.mfa_token, code: '000000' })).status).toBe(401);
    }
    expect((await t.post('/auth/login/2fa/', { mfa_token: a.body.mfa_token, code: codeAt(e.secret, 1) })).status).toBe(
      401,
    );
    const expired = await t.post('/auth/login/', { username: 'dave', password });
    await t.sql`update mfa_challenges set expires_at = now() - interval '1 second'`;
    expect(
      (await t.post('/auth/login/2fa/', { mfa_token: expired.body.mfa_token, code: codeAt(e.secret, 1) })).status,
    ).toBe(401);
  });

  it('disables with the password and a code; new recovery codes void the old; superuser reset', async () => {
    const u = await newUser(t, su, 'erin');
    const e = await enrol(t, u.token);
    const fresh = await t.post('/auth/2fa/recovery-codes/', { code: codeAt(e.secret, 1) }, { token: u.token });
    expect(fresh.status).toBe(200);
    const wrongPw = await t.post(
      '/auth/2fa/disable/',
      { password: 'nope nope', recovery_code: e.recovery[0] },
      { token: u.token },
    );
    expect(wrongPw.status).toBe(400);
    const oldCode = await t.post('/auth/2fa/disable/', { password, recovery_code: e.recovery[0] }, { token: u.token });
    expect(oldCode.status).toBe(400);
    const off = await t.post(
      '/auth/2fa/disable/',
      { password, recovery_code: fresh.body.recovery_codes[0] },
      { token: u.token },
    );
    expect(off.status).toBe(204);
    expect((await t.post('/auth/login/', { username: 'erin', password })).body.access).toEqual(expect.any(String));
    await enrol(t, u.token);
    expect((await t.post(`/users/${u.id}/2fa/reset/`, undefined, { token: u.token })).status).toBe(403);
    expect((await t.post(`/users/${u.id}/2fa/reset/`, undefined, { token: su })).status).toBe(204);
    expect((await t.post('/auth/login/', { username: 'erin', password })).body.access).toEqual(expect.any(String));
    const audit = await t.get(`/audit/?actor=${u.id}&action=auth.2fa_disabled`, { token: su });
    expect(audit.body.count).toBe(1);
  });

  it('refuses bad bodies with 400', async () => {
    const u = await newUser(t, su, 'frank');
    expect((await t.post('/auth/2fa/enable/', { code: '12345' }, { token: u.token })).status).toBe(400);
    expect((await t.post('/auth/2fa/enable/', { code: '123456' }, { token: u.token })).status).toBe(409);
    expect((await t.post('/auth/login/2fa/', { mfa_token: 'x' })).status).toBe(400);
    expect((await t.post('/auth/login/2fa/', { mfa_token: 'x', code: '123456', recovery_code: 'a' })).status).toBe(400);
  });
});

describe('REQUIRE_2FA', () => {
  let t: TestApp;
  let su: string;
  let served: Awaited<ReturnType<typeof listenRealtime>>;
  beforeAll(async () => {
    t = await createTestApp({ REQUIRE_2FA: 'all' });
    served = await listenRealtime(t);
    su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
  });
  afterAll(async () => {
    await served.close();
    await t.close();
  });

  it('mfa_skip: a covered user without 2FA reaches only /auth/me, /auth/2fa/* and logout, by any credential', async () => {
    const refused = await t.get('/projects/', { token: su });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('mfa_setup_required');
    expect((await t.get('/auth/me/', { token: su })).status).toBe(200);
    // Refresh buys new tokens, not a way round.
    const login = await t.post('/auth/login/', { username: 'root', password });
    const refreshed = await t.post('/auth/refresh/', { refresh: login.body.refresh });
    expect((await t.get('/projects/', { token: refreshed.body.access })).status).toBe(403);
    // The socket: at the upgrade and by the auth message.
    expect((await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${su}` })).opened).toBe(false);
    const late = await connectWs(`${served.base}/ws/`);
    late.send({ type: 'auth', token: su });
    expect(await late.closed).not.toBe(1000);
    // An API token made before the rule: as refused as its user.
    await t.sql`insert into api_tokens (user_id, name, scope, token_hash)
      values (1, 'old', 'write', sha256(${'lw_' + 'a'.repeat(52)}::bytea))`;
    const viaToken = await t.get('/projects/', { token: `lw_${'a'.repeat(52)}` });
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.error.code).toBe('mfa_setup_required');
  });

  it('lets the user in everywhere once enrolled', async () => {
    await enrol(t, su);
    expect((await t.get('/projects/', { token: su })).status).toBe(200);
    const ws = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${su}` });
    expect(ws.opened).toBe(true);
    ws.ws.close();
  });
});
