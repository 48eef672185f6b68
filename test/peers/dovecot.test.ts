import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxPath, startDovecot, type Dovecot } from './dovecot.ts';

const mail = (id: string, subject: string) =>
  [
    'From: Client <client@example.com>',
    'To: helpdesk@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${id}@example.com>`,
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}`,
    '',
  ].join('\r\n');

describe('Dovecot test peer', () => {
  let a: Dovecot;
  let b: Dovecot;
  beforeAll(async () => {
    const started = Date.now();
    [a, b] = await Promise.all([
      startDovecot(),
      startDovecot({ users: [{ user: 'support@example.test', password: 'pw-b' }] }),
    ]);
    console.info(`two Dovecot instances up in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('runs two instances at once, each on its own port, directory and accounts', async () => {
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    expect(a.users.map((u) => u.user)).toEqual(['helpdesk']);
    expect(b.users).toEqual([{ user: 'support@example.test', password: 'pw-b' }]);
    await expect(a.connect('support@example.test')).rejects.toThrow(/no such IMAP user/);
  });

  it('appends a message and lists it back through imapflow', async () => {
    const { user } = a.users[0]!;
    const uid = await a.append(user, 'INBOX', mail('one', 'Printer on fire'));
    expect(uid).toBe(1);
    const [message, ...rest] = await a.list(user, 'INBOX');
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ uid: 1, subject: 'Printer on fire', messageId: '<one@example.com>' });
    expect(message!.flags).not.toContain('\\Seen');
    expect(message!.source).toContain('\r\nBody of Printer on fire\r\n');
    // The other instance's mailbox is its own.
    expect(await b.list('support@example.test', 'INBOX')).toEqual([]);
  });

  it('creates a nested folder with the server delimiter and moves a message there', async () => {
    const { user } = a.users[0]!;
    await a.append(user, 'INBOX', mail('two', 'Second'), ['\\Seen']);
    expect(await a.list(user, 'Laneway/Imported')).toEqual([]);
    expect(await a.createFolder(user, 'Laneway/Imported')).toBe('Laneway.Imported');

    const client = await a.connect(user);
    try {
      const [inbox] = await client.list();
      // Maildir's delimiter; the peer read it from the server rather than assuming it.
      expect(inbox!.delimiter).toBe('.');
      const target = await mailboxPath(client, ['Laneway', 'Imported']);
      const lock = await client.getMailboxLock('INBOX');
      try {
        const [uid] = (await client.search({ header: { 'message-id': '<two@example.com>' } }, { uid: true })) || [];
        expect(uid).toBe(2);
        await client.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
        const moved = await client.messageMove(String(uid), target, { uid: true });
        expect(moved && moved.destination).toBe('Laneway.Imported');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }

    expect((await a.list(user, 'INBOX')).map((m) => m.subject)).toEqual(['Printer on fire']);
    const [moved] = await a.list(user, ['Laneway', 'Imported']);
    expect(moved).toMatchObject({ subject: 'Second', flags: ['\\Flagged', '\\Seen'] });
  });

  it('adds an account that can sign in at once, and refuses a wrong password', async () => {
    const added = await b.addUser('late@example.test');
    await b.append(added.user, 'INBOX', mail('late', 'Late'));
    expect((await b.list(added.user, 'INBOX')).map((m) => m.subject)).toEqual(['Late']);

    const wrong = new ImapFlow({
      host: b.host,
      port: b.port,
      secure: false,
      auth: { user: added.user, pass: 'not-the-password' },
      logger: false,
    });
    await expect(wrong.connect()).rejects.toThrow();
    wrong.close();
  });

  it('stops: the port closes and the directory is gone', async () => {
    const c = await startDovecot();
    expect(existsSync(c.dir)).toBe(true);
    const started = Date.now();
    await c.stop();
    console.info(`Dovecot stopped in ${Date.now() - started} ms`);
    expect(existsSync(c.dir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: c.host, port: c.port });
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
