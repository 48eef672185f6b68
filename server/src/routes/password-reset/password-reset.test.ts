import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { startSmtpSink, type SmtpSink } from '../../../../test/peers/smtp.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { startWorker, type RunningWorker } from '../../../../workers/src/worker.ts';
import { CLOSE } from '../../realtime/protocol.ts';

let t: TestApp;
let smtp: SmtpSink;
let worker: RunningWorker;
let served: Awaited<ReturnType<typeof listenRealtime>>;
const password = 'correct horse battery';

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'http://laneway.test', PASSWORD_RESET_MAX_PER_IP: '1000' });
  worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
  served = await listenRealtime(t);
  const su = (await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password })).body.access;
  for (const name of ['ann', 'ben', 'cat', 'dan', 'eve']) {
    await t.post('/users/', { username: name, email: `${name}@example.com`, password, name }, { token: su });
  }
  await t.post('/users/', { username: 'gone', email: 'gone@example.com', password }, { token: su });
  await t.sql`update users set is_active = false where username = 'gone'`;
});
afterAll(async () => {
  await worker.stop();
  await served.close();
  await t.close();
  await smtp.stop();
});

/** Asks for a reset and returns the token from the email that arrives. */
async function resetToken(email: string): Promise<string> {
  smtp.clear();
  expect((await t.post('/auth/password-reset/', { email })).status).toBe(202);
  const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes(email));
  expect(mail.text).toContain('http://laneway.test/reset/');
  expect(mail.html).toContain('Choose a new password');
  expect(mail.subject).toBe('Reset your Laneway password');
  return /\/reset\/([a-z2-7]+)/.exec(mail.text ?? '')![1]!;
}

describe('password reset', () => {
  it('mails a single-use link; confirming ends every session and socket and signs nobody in', async () => {
    const session = await t.post('/auth/login/', { username: 'ann', password });
    const socket = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${session.body.access}` });
    await socket.next((m) => m.type === 'ready');
    const token = await resetToken('ANN@example.com'.toLowerCase());
    const done = await t.post('/auth/password-reset/confirm/', { token, password: 'a brand new password' });
    expect(done.status).toBe(204);
    expect(done.headers.get('set-cookie')).toBeNull();
    expect(await socket.closed).toBe(CLOSE.revoked);
    expect((await t.get('/auth/me/', { token: session.body.access })).status).toBe(401);
    expect((await t.post('/auth/login/', { username: 'ann', password: 'a brand new password' })).status).toBe(200);
    // reset_token_reuse: once only.
    const again = await t.post('/auth/password-reset/confirm/', { token, password: 'yet another password' });
    expect(again.status).toBe(400);
  });

  it('reset_token_stored_plain: the table and the queued job keep no readable token', async () => {
    await worker.stop();
    smtp.clear();
    expect((await t.post('/auth/password-reset/', { email: 'ben@example.com' })).status).toBe(202);
    const jobs = await t.sql`select payload::text as p from graphile_worker._private_jobs`;
    expect(jobs.length).toBeGreaterThan(0);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('ben@example.com'));
    const token = /\/reset\/([a-z2-7]+)/.exec(mail.text ?? '')![1]!;
    expect(JSON.stringify(jobs)).not.toContain(token);
    const rows = await t.sql`select * from password_resets`;
    const dump = JSON.stringify(rows, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(dump).not.toContain(token);
  });

  it('reset_token_outlives_newer: a newer request voids the older link', async () => {
    const older = await resetToken('cat@example.com');
    const newer = await resetToken('cat@example.com');
    expect((await t.post('/auth/password-reset/confirm/', { token: older, password: 'cat password 2' })).status).toBe(
      400,
    );
    expect((await t.post('/auth/password-reset/confirm/', { token: newer, password: 'cat password 2' })).status).toBe(
      204,
    );
  });

  it('reset_token_survives_password_change: changing the password voids open links', async () => {
    const token = await resetToken('dan@example.com');
    const login = await t.post('/auth/login/', { username: 'dan', password });
    const changed = await t.post(
      '/auth/password/',
      { current_password: password, new_password: 'dan password 2' },
      { token: login.body.access },
    );
    expect(changed.status).toBe(200);
    expect((await t.post('/auth/password-reset/confirm/', { token, password: 'dan password 3' })).status).toBe(400);
  });

  it('reset_token_expired: an expired link is the same 400', async () => {
    const token = await resetToken('eve@example.com');
    await t.sql`update password_resets set expires_at = now() - interval '1 second'`;
    const res = await t.post('/auth/password-reset/confirm/', { token, password: 'eve password 2' });
    expect(res.status).toBe(400);
    const bogus = await t.post('/auth/password-reset/confirm/', { token: 'a'.repeat(52), password: 'eve password 2' });
    expect(bogus.body).toEqual(res.body);
  });

  it('sends nothing to unknown or inactive addresses, and answers them the same', async () => {
    smtp.clear();
    const known = await t.post('/auth/password-reset/', { email: 'root@example.com' });
    const unknown = await t.post('/auth/password-reset/', { email: 'nobody@example.com' });
    const inactive = await t.post('/auth/password-reset/', { email: 'gone@example.com' });
    for (const res of [unknown, inactive]) {
      expect(res.status).toBe(known.status);
      expect(res.body).toEqual(known.body);
    }
    await smtp.waitFor((m) => m.envelope.rcptTo.includes('root@example.com'));
    expect(smtp.messages.map((m) => m.envelope.rcptTo[0])).toEqual(['root@example.com']);
  });

  it('reset_enumeration_timing: known and unknown addresses take the same time (means within 20 % over 30 tries)', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      const res = await t.post('/auth/password-reset/', { email }, { ip: `10.9.${Math.floor(Math.random() * 250)}.1` });
      expect(res.status).toBe(202);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so load on the machine falls on both alike; distinct addresses stay under the per-address limit.
    for (let i = 0; i < 30; i++) {
      await t.sql`update users set email = ${`timing${i}@example.com`} where username = 'root'`;
      known.push(await time(`timing${i}@example.com`));
      unknown.push(await time(`missing${i}@example.com`));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(known) / mean(unknown);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.2);
  });

  it('limits requests per address with a 429 that does not depend on the address existing', async () => {
    for (const email of ['ben@example.com', 'nobody-else@example.com']) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await t.post('/auth/password-reset/', { email })).status);
      expect(statuses.slice(-1)).toEqual([429]);
    }
  });
});
