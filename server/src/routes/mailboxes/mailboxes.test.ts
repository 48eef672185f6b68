/**
 * Mailbox settings (SPEC §13) against a real Dovecot: the password is write-only and stored
 * encrypted, "test connection" answers with the server's own words, and references are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { startDovecot, type Dovecot } from '../../../../test/peers/dovecot.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
let imap: Dovecot;
let user: string;
let password: string;

const sample = (n: number) =>
  [
    'From: Ada <ada@client.example>',
    'To: support@acme.example',
    `Subject: Sample ${n}`,
    `Message-ID: <sample-${n}@client.example>`,
    '',
    'Hello.',
    '',
  ].join('\r\n');

beforeAll(async () => {
  imap = await startDovecot();
  ({ user, password } = imap.users[0]!);
  await imap.append(user, 'INBOX', sample(1));
  await imap.append(user, 'INBOX', sample(2));
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(async () => {
  await t?.close();
  await imap?.stop();
});

const sa = () => ({ token: w.tokens.superadmin });
const body = (extra: Record<string, unknown> = {}) => ({
  address: 'Support@Acme.example',
  imap: { host: imap.host, port: imap.port, tls: false, username: user, password },
  ...extra,
});

describe('mailboxes', () => {
  it('never returns the password, and stores it encrypted (a leaked dump holds no IMAP password)', async () => {
    const res = await t.post(`/projects/${w.projectId}/mailboxes/`, body(), sa());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      project: w.projectId,
      address: 'support@acme.example',
      imap: {
        host: imap.host,
        port: imap.port,
        tls: false,
        username: user,
        folder: 'INBOX',
        imported_folder: 'Laneway/Imported',
      },
      intake_column: null,
      accept_from: 'anyone',
      is_active: true,
      inbound_token: expect.stringMatching(/^[\w-]{32}$/),
    });
    expect(JSON.stringify(res.body)).not.toContain(password);
    const listed = await t.get(`/projects/${w.projectId}/mailboxes/`, sa());
    expect(listed.body.results.map((m: any) => m.id)).toContain(res.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(password);
    expect(listed.body.results[0].inbound_token).toBeUndefined();
    const [row] = await t.sql`select imap_password, inbound_token_hash from mailboxes where id = ${res.body.id}`;
    expect(row!.imap_password).not.toContain(password);
    expect(row!.imap_password).toMatch(/^v1\./);
    expect(row!.inbound_token_hash).not.toBe(res.body.inbound_token);
  });

  it('tests the connection: the folder count, or the server refusal in its own words', async () => {
    const created = await t.post(`/projects/${w.projectId}/mailboxes/`, body(), sa());
    const ok = await t.post(`/mailboxes/${created.body.id}/test/`, undefined, sa());
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, message_count: 2 });

    const wrong = await t.patch(`/mailboxes/${created.body.id}/`, { imap: { password: 'not the password' } }, sa());
    expect(wrong.status).toBe(200);
    const refused = await t.post(`/mailboxes/${created.body.id}/test/`, undefined, sa());
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('unprocessable');
    expect(refused.body.error.message).toMatch(/authentication failed/i);

    await t.patch(`/mailboxes/${created.body.id}/`, { imap: { password, folder: 'Nowhere' } }, sa());
    const missing = await t.post(`/mailboxes/${created.body.id}/test/`, undefined, sa());
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/mailbox doesn't exist|not exist|nonexistent/i);
  });

  it('reads a key changed under the stored password as a 422 asking for it again, not a 500', async () => {
    const created = await t.post(`/projects/${w.projectId}/mailboxes/`, body(), sa());
    await t.sql`update mailboxes set imap_password = 'v1.AAAA.AAAA.AAAA' where id = ${created.body.id}`;
    const res = await t.post(`/mailboxes/${created.body.id}/test/`, undefined, sa());
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/enter it again/);
  });

  it("refuses another project's column as the intake column, and an unknown priority", async () => {
    const other = await t.post('/projects/', { name: 'Other', key: 'OTH' }, sa());
    const [column] = await t.sql`select id from columns where project_id = ${other.body.id} limit 1`;
    const res = await t.post(`/projects/${w.projectId}/mailboxes/`, body({ intake_column: column!.id }), sa());
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ intake_column: ['Not a column of this project'] });
    const priority = await t.post(`/projects/${w.projectId}/mailboxes/`, body({ default_priority_id: 99 }), sa());
    expect(priority.status).toBe(400);
    const own = await t.post(
      `/projects/${w.projectId}/mailboxes/`,
      body({ intake_column: w.columns[1]!.id, default_priority_id: 3, accept_from: 'contacts' }),
      sa(),
    );
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({
      intake_column: w.columns[1]!.id,
      default_priority_id: 3,
      accept_from: 'contacts',
    });
  });

  it('refuses a bad address, host or folder, and unknown fields (a stray password field is not ignored)', async () => {
    for (const bad of [
      body({ address: 'not an address' }),
      { ...body(), imap: { ...body().imap, host: 'evil host; rm' } },
      { ...body(), imap: { ...body().imap, folder: 'a*b' } },
      { ...body(), imap: { ...body().imap, port: 0 } },
      body({ accept_from: 'everybody' }),
      body({ password: 'top level' }),
    ]) {
      const res = await t.post(`/projects/${w.projectId}/mailboxes/`, bad, sa());
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('lists the delivery log newest first, and deletes the mailbox with its log', async () => {
    const created = await t.post(`/projects/${w.projectId}/mailboxes/`, body(), sa());
    await t.sql`insert into mail_messages (mailbox_id, message_id, outcome, reason, sender, subject)
      values (${created.body.id}, '<a@x>', 'ignored', 'Auto-Submitted: auto-replied', 'a@x', 'Out of office'),
             (${created.body.id}, '<b@x>', 'refused', 'Too large', 'b@x', 'Big')`;
    const log = await t.get(`/mailboxes/${created.body.id}/log/`, sa());
    expect(log.status).toBe(200);
    expect(log.body.count).toBe(2);
    expect(log.body.results.map((r: any) => [r.message_id, r.outcome, r.reason])).toEqual([
      ['<b@x>', 'refused', 'Too large'],
      ['<a@x>', 'ignored', 'Auto-Submitted: auto-replied'],
    ]);
    expect((await t.del(`/mailboxes/${created.body.id}/`, sa())).status).toBe(204);
    expect((await t.get(`/mailboxes/${created.body.id}/log/`, sa())).status).toBe(404);
    const [left] = await t.sql`select count(*)::int as n from mail_messages where mailbox_id = ${created.body.id}`;
    expect(left!.n).toBe(0);
  });
});
