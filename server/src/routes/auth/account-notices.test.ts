/**
 * The account notices by mail (SPEC §11, issue 15 item 8): "new sign-in from a new device" and
 * "two-factor authentication was turned off", through the account_mail job to a real SMTP server.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { startSmtpSink, type SmtpSink } from '../../../../test/peers/smtp.ts';
import { startWorker, type RunningWorker } from '../../../../workers/src/worker.ts';

const password = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

let t: TestApp;
let smtp: SmtpSink;
let worker: RunningWorker;
let su: string;

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'http://laneway.test' });
  worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
  su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
});
afterAll(async () => {
  await worker.stop();
  await t.close();
  await smtp.stop();
});

/** Signs in with our user agent and, when given, a device cookie. */
async function signIn(username: string, headers: Record<string, string> = {}) {
  const res = await t.post('/auth/login/', { username, password }, { headers: { 'user-agent': FIREFOX, ...headers } });
  expect(res.status).toBe(200);
  const device = /(?:^|[ ,])device=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  return { body: res.body as { access: string }, device };
}

async function mailCount(kind: string, to: string): Promise<number> {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs j
    join graphile_worker._private_tasks k on k.id = j.task_id
    where k.identifier = 'account_mail' and j.payload->>'kind' = ${kind} and j.payload->>'to' = ${to}`;
  return row!.n;
}

describe('account notices', () => {
  it('mails a sign-in from a new device, but not the first sign-in nor one from a known device', async () => {
    await t.post('/users/', { username: 'ann', email: 'ann@example.com', password }, { token: su });
    await worker.stop();
    const first = await signIn('ann');
    expect(await mailCount('new_device', 'ann@example.com')).toBe(0);
    await signIn('ann', { cookie: `device=${first.device}` });
    expect(await mailCount('new_device', 'ann@example.com')).toBe(0);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    smtp.clear();
    await signIn('ann');
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('ann@example.com'));
    expect(mail.subject).toBe('New sign-in to your Laneway account');
    expect(mail.text).toContain('Firefox 133 on Linux');
    expect(mail.text).toContain('http://laneway.test/account');
    expect(mail.html).toContain('Open your account');
  });

  it('mails "two-factor authentication was turned off", by the user and by the superuser', async () => {
    await t.post('/users/', { username: 'ben', email: 'ben@example.com', password }, { token: su });
    const ben = (await t.post('/auth/login/', { username: 'ben', password })).body.access;
    const setup = await t.post('/auth/2fa/setup/', { password }, { token: ben });
    const secret = decodeBase32IgnorePadding(setup.body.secret);
    const step = Math.floor(Date.now() / 30_000);
    const enabled = await t.post('/auth/2fa/enable/', { code: generateHOTP(secret, BigInt(step), 6) }, { token: ben });
    smtp.clear();
    const off = await t.post(
      '/auth/2fa/disable/',
      { password, recovery_code: enabled.body.recovery_codes[0] },
      { token: ben },
    );
    expect(off.status).toBe(204);
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('ben@example.com'));
    expect(mail.subject).toBe('Two-factor authentication was turned off on Laneway');
    // The superuser's reset of a user with 2FA tells them too; of one without, says nothing.
    const again = await t.post('/auth/2fa/setup/', { password }, { token: ben });
    const secret2 = decodeBase32IgnorePadding(again.body.secret);
    await t.post('/auth/2fa/enable/', { code: generateHOTP(secret2, BigInt(step + 1), 6) }, { token: ben });
    const id = (await t.get('/auth/me/', { token: ben })).body.id;
    await worker.stop();
    smtp.clear();
    expect((await t.post(`/users/${id}/2fa/reset/`, undefined, { token: su })).status).toBe(204);
    expect((await t.post(`/users/${id}/2fa/reset/`, undefined, { token: su })).status).toBe(204);
    expect(await mailCount('two_factor_disabled', 'ben@example.com')).toBe(1);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    const sent = await smtp.waitFor((m) => m.envelope.rcptTo.includes('ben@example.com'));
    expect(sent.subject).toBe('Two-factor authentication was turned off on Laneway');
  });
});
