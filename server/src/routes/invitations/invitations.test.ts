import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { startSmtpSink, type SmtpSink } from '../../../../test/peers/smtp.ts';
import { startWorker, type RunningWorker } from '../../../../workers/src/worker.ts';

const password = 'correct horse battery';

describe('invitations with SMTP', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let worker: RunningWorker;
  let su: string;
  let boss: string;
  let projectId: number;
  let companyId: number;
  let companyAdmin: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'http://laneway.test' });
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
    await t.post('/users/', { username: 'boss', email: 'boss@example.com', password, name: 'Boss' }, { token: su });
    await t.post('/users/', { username: 'known', email: 'known@example.com', password }, { token: su });
    await t.post('/users/', { username: 'cadmin', email: 'cadmin@example.com', password }, { token: su });
    boss = (await t.post('/auth/login/', { username: 'boss', password })).body.access;
    const project = await t.post('/projects/', { name: 'Ops', key: 'OPS' }, { token: boss });
    projectId = project.body.id;
    const [company] = await t.sql<
      { id: number }[]
    >`insert into companies (name, slug) values ('Acme', 'acme') returning id`;
    companyId = company!.id;
    await t.sql`insert into company_admins (company_id, user_id) select ${companyId}, id from users where username = 'cadmin'`;
    companyAdmin = (await t.post('/auth/login/', { username: 'cadmin', password })).body.access;
  });
  afterAll(async () => {
    await worker.stop();
    await t.close();
    await smtp.stop();
  });

  /** Invites `email` into the project as the project's superadmin; returns the answer and the mailed token. */
  async function invite(email: string, body: Record<string, unknown> = {}) {
    smtp.clear();
    const res = await t.post(
      '/invitations/',
      { email, name: 'New Person', projects: [{ project: projectId, role: 'user' }], ...body },
      { token: boss },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes(email));
    expect(mail.subject).toBe('Boss invited you to Laneway');
    expect(mail.html).toContain('Accept the invitation');
    const token = /\/invite\/([a-z2-7]+)/.exec(mail.text ?? '')![1]!;
    return { res, token };
  }

  it('mails a link that shows the invitation and creates the account once, with the invited address', async () => {
    const { res, token } = await invite('new@example.com');
    // SMTP is configured: the link is not in the answer.
    expect(res.body.link).toBeUndefined();
    expect(res.body).toMatchObject({
      email: 'new@example.com',
      projects: [{ project: projectId, name: 'Ops', role: 'user' }],
      invited_by: { username: 'boss' },
      accepted_at: null,
      revoked_at: null,
    });
    const preview = await t.get(`/auth/invitations/${token}/`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      email: 'new@example.com',
      name: 'New Person',
      invited_by: { name: 'Boss' },
      projects: [{ name: 'Ops', role: 'user' }],
      company: null,
    });
    const accepted = await t.post(`/auth/invitations/${token}/accept/`, { username: 'newbie', password });
    expect(accepted.status).toBe(201);
    expect(accepted.headers.get('set-cookie')).toContain('HttpOnly');
    expect(accepted.body.user).toMatchObject({ username: 'newbie', email: 'new@example.com', name: 'New Person' });
    const board = await t.get(`/projects/${projectId}/`, { token: accepted.body.access });
    expect(board.status).toBe(200);
    expect(board.body.role).toBe('user');
    // invitation_token_reuse: once only, and the page says nothing more about it.
    expect((await t.post(`/auth/invitations/${token}/accept/`, { username: 'again', password })).status).toBe(404);
    expect((await t.get(`/auth/invitations/${token}/`)).status).toBe(404);
    const actions = await t.sql<{ action: string }[]>`select action from audit_log
      where target_type = 'invitation' and target_id = ${String(res.body.id)} order by id`;
    expect(actions.map((a) => a.action)).toEqual(['invitation.created', 'invitation.accepted']);
  });

  it('invitation_stored_plain: neither the table nor the queued job holds a readable token', async () => {
    await worker.stop();
    const res = await t.post(
      '/invitations/',
      { email: 'plain@example.com', projects: [{ project: projectId, role: 'user' }] },
      { token: boss },
    );
    expect(res.status).toBe(201);
    const jobs = await t.sql`select payload::text as p from graphile_worker._private_jobs`;
    expect(jobs.length).toBeGreaterThan(0);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('plain@example.com'));
    const token = /\/invite\/([a-z2-7]+)/.exec(mail.text ?? '')![1]!;
    expect(JSON.stringify(jobs)).not.toContain(token);
    const rows = await t.sql`select * from invitations`;
    const dump = JSON.stringify(rows, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(dump).not.toContain(token);
    expect((await t.get(`/auth/invitations/${token}/`)).status).toBe(200);
  });

  it('invitation_outlives_expiry and _revocation: an expired or revoked link is one 404', async () => {
    const expired = await invite('late@example.com');
    await t.sql`update invitations set expires_at = now() - interval '1 second' where id = ${expired.res.body.id}`;
    expect((await t.get(`/auth/invitations/${expired.token}/`)).status).toBe(404);
    expect((await t.post(`/auth/invitations/${expired.token}/accept/`, { username: 'late', password })).status).toBe(
      404,
    );
    const revoked = await invite('gone@example.com');
    expect((await t.del(`/invitations/${revoked.res.body.id}/`, { token: boss })).status).toBe(204);
    expect((await t.del(`/invitations/${revoked.res.body.id}/`, { token: boss })).status).toBe(409);
    expect((await t.post(`/auth/invitations/${revoked.token}/accept/`, { username: 'gone', password })).status).toBe(
      404,
    );
    const [row] = await t.sql<
      { n: number }[]
    >`select count(*)::int as n from users where email like 'late@%' or email like 'gone@%'`;
    expect(row!.n).toBe(0);
    const [audit] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log
      where action = 'invitation.revoked' and target_id = ${String(revoked.res.body.id)}`;
    expect(audit!.n).toBe(1);
  });

  it('invitation_rebinds_address: the account gets the invited address whatever is sent', async () => {
    const { token } = await invite('bound@example.com');
    const withEmail = await t.post(`/auth/invitations/${token}/accept/`, {
      username: 'bound',
      password,
      email: 'attacker@example.com',
    });
    expect(withEmail.status).toBe(400);
    const ok = await t.post(`/auth/invitations/${token}/accept/`, { username: 'bound', password });
    expect(ok.status).toBe(201);
    expect(ok.body.user.email).toBe('bound@example.com');
    // A username someone has is a 409, and the invitation stays usable after it.
    const { token: second } = await invite('second@example.com');
    expect((await t.post(`/auth/invitations/${second}/accept/`, { username: 'bound', password })).status).toBe(409);
    expect((await t.post(`/auth/invitations/${second}/accept/`, { username: 'second', password })).status).toBe(201);
  });

  it('gives an existing account the memberships at once and tells its owner', async () => {
    smtp.clear();
    const res = await t.post(
      '/invitations/',
      { email: 'KNOWN@example.com', projects: [{ project: projectId, role: 'manager' }] },
      { token: boss },
    );
    expect(res.status).toBe(201);
    expect(res.body.accepted_at).not.toBeNull();
    expect(res.body.link).toBeUndefined();
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('known@example.com'));
    expect(mail.subject).toBe('Boss gave you access on Laneway');
    expect(mail.text).toContain('Ops (manager)');
    expect(mail.text).not.toContain('/invite/');
    const known = (await t.post('/auth/login/', { username: 'known', password })).body.access;
    expect((await t.get(`/projects/${projectId}/`, { token: known })).body.role).toBe('manager');
  });

  it('lets a company admin invite company users (not admins), who join the company on accepting', async () => {
    smtp.clear();
    expect(
      (
        await t.post(
          '/invitations/',
          { email: 'boss2@example.com', company: { id: companyId, role: 'admin' } },
          { token: companyAdmin },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await t.post(
          '/invitations/',
          { email: 'p@example.com', projects: [{ project: projectId, role: 'user' }] },
          { token: companyAdmin },
        )
      ).status,
    ).toBe(404);
    const res = await t.post(
      '/invitations/',
      { email: 'client@example.com', company: { id: companyId, role: 'user' } },
      { token: companyAdmin },
    );
    expect(res.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('client@example.com'));
    const token = /\/invite\/([a-z2-7]+)/.exec(mail.text ?? '')![1]!;
    expect((await t.get(`/auth/invitations/${token}/`)).body.company).toEqual({ name: 'Acme' });
    const ok = await t.post(`/auth/invitations/${token}/accept/`, { username: 'client', password });
    expect(ok.status).toBe(201);
    const me = await t.get('/auth/me/', { token: ok.body.access });
    expect(me.status).toBe(200);
    const [tie] = await t.sql<{ n: number }[]>`select count(*)::int as n from company_users
      where company_id = ${companyId} and user_id = ${ok.body.user.id}`;
    expect(tie!.n).toBe(1);
    // The company admin sees their company's invitations, not the project's.
    const list = await t.get('/invitations/', { token: companyAdmin });
    expect(list.status).toBe(200);
    expect(list.body.results.map((i: { email: string }) => i.email)).toEqual(['client@example.com']);
    const all = await t.get('/invitations/', { token: su });
    expect(all.body.results.map((i: { email: string }) => i.email)).toContain('client@example.com');
  });

  it('refuses bad input', async () => {
    const dup = await t.post(
      '/invitations/',
      {
        email: 'dup@example.com',
        projects: [
          { project: projectId, role: 'user' },
          { project: projectId, role: 'admin' },
        ],
      },
      { token: boss },
    );
    expect(dup.status).toBe(400);
    expect((await t.post('/invitations/', { email: 'not an address' }, { token: su })).status).toBe(400);
    expect(
      (
        await t.post(
          '/invitations/',
          { email: 'x@example.com', projects: [{ project: projectId, role: 'owner' }] },
          {
            token: su,
          },
        )
      ).status,
    ).toBe(400);
    // Only the superuser invites into nothing.
    expect((await t.post('/invitations/', { email: 'bare@example.com' }, { token: boss })).status).toBe(403);
  });
});

describe('invitations without SMTP, under REQUIRE_2FA', () => {
  let t: TestApp;
  let su: string;
  beforeAll(async () => {
    t = await createTestApp({ REQUIRE_2FA: 'all' });
    su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
    const setup = await t.post('/auth/2fa/setup/', { password }, { token: su });
    const code = generateHOTP(decodeBase32IgnorePadding(setup.body.secret), BigInt(Math.floor(Date.now() / 30_000)), 6);
    expect((await t.post('/auth/2fa/enable/', { code }, { token: su })).status).toBe(200);
  });
  afterAll(() => t.close());

  it('returns the link to the inviter, and the new account must enrol before anything else', async () => {
    const res = await t.post('/invitations/', { email: 'someone@example.com' }, { token: su });
    expect(res.status).toBe(201);
    expect(res.body.link).toMatch(/\/invite\/[a-z2-7]{52}$/);
    const token = res.body.link.split('/invite/')[1];
    const ok = await t.post(`/auth/invitations/${token}/accept/`, { username: 'someone', password });
    expect(ok.status).toBe(201);
    const refused = await t.get('/projects/', { token: ok.body.access });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('mfa_setup_required');
    const me = await t.get('/auth/me/', { token: ok.body.access });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'someone@example.com', two_factor: false, mfa_setup_required: true });
    expect((await t.get('/auth/me/', { token: su })).body).toMatchObject({
      two_factor: true,
      mfa_setup_required: false,
    });
  });
});
