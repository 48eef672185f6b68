/**
 * `npm run bench:mail`: mail intake end to end. BENCH_MAIL_COUNT (1,000) mails are appended to a
 * real Dovecot; a mailbox is then connected to the demo project of a Laneway with its inline
 * worker, and the clock runs until the last ticket is on the board (the ticket list's count).
 * Reported: that time and mails/s, against the floor of the same IMAP work with no processing
 * (log in, list the folder with sizes and envelopes, FETCH each message's source, one by one).
 *
 * The poll interval is BENCH_MAIL_POLL_SECONDS (5): the first poll after the mailbox is created
 * may wait up to that long, and that wait is inside the measured time.
 */
import { ImapFlow } from 'imapflow';
import { startDovecot } from '../test/peers/dovecot.ts';
import { fmt, login, markdownTable, numberFromEnv, runMain, startLaneway, withBenchRun } from './lib.ts';

const settings = {
  count: numberFromEnv('BENCH_MAIL_COUNT', 1000, 1),
  pollSeconds: numberFromEnv('BENCH_MAIL_POLL_SECONDS', 5, 5),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(i: number): string {
  return [
    `From: Client ${i % 50} <client${i % 50}@bench.example>`,
    'To: support@acme.example',
    `Subject: Bench mail ${i}`,
    `Message-ID: <bench-${i}-${Date.now()}@bench.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Mail number ${i}. `.repeat(20),
    '',
  ].join('\r\n');
}

runMain(() =>
  withBenchRun({ tickets: 100 }, async ({ log, scope, database, demo, loadBefore }) => {
    const imap = await startDovecot();
    try {
      const { user, password } = imap.users[0]!;
      log(`appending ${settings.count} mails…`);
      for (let i = 0; i < settings.count; i++) await imap.append(user, 'INBOX', message(i));

      // The floor: the IMAP reads intake does, and nothing else.
      const floorStart = performance.now();
      const client = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: false,
        auth: { user, pass: password },
        logger: false,
      });
      await client.connect();
      const lock = await client.getMailboxLock('INBOX');
      let bytes = 0;
      try {
        const listed = await client.fetchAll('1:*', { uid: true, size: true, envelope: true, flags: true });
        for (const m of listed) {
          const full = await client.fetchOne(String(m.uid), { source: true }, { uid: true });
          bytes += full ? (full.source?.length ?? 0) : 0;
        }
      } finally {
        lock.release();
        await client.logout();
      }
      const floorSeconds = (performance.now() - floorStart) / 1000;
      log(`floor: ${fmt(floorSeconds, 2)} s for ${fmt(bytes / 1024)} KiB`);

      const server = await startLaneway(database.url, {
        env: {
          WORKER_MODE: 'inline',
          MAIL_POLL_SECONDS: String(settings.pollSeconds),
          MAIL_MAX_PER_SENDER_PER_HOUR: '100000',
        },
      });
      scope.own(server.child);
      const token = await login(server.url, demo.password);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const count = async () => {
        const res = await fetch(`${server.url}/api/tickets/tickets/?project=${demo.projectId}&page_size=1`, {
          headers,
        });
        return ((await res.json()) as { count: number }).count;
      };
      const before = await count();
      const started = performance.now();
      const created = await fetch(`${server.url}/api/tickets/projects/${demo.projectId}/mailboxes/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          address: 'support@acme.example',
          imap: { host: imap.host, port: imap.port, tls: false, username: user, password },
        }),
      });
      if (created.status !== 201) throw new Error(`mailbox: ${created.status} ${await created.text()}`);
      let seen = before;
      let firstAt: number | null = null;
      while (seen < before + settings.count) {
        await sleep(100);
        seen = await count();
        if (firstAt === null && seen > before) firstAt = performance.now();
        if (performance.now() - started > 15 * 60_000)
          throw new Error(`only ${seen - before} tickets after 15 minutes`);
      }
      const total = (performance.now() - started) / 1000;
      const importing = firstAt === null ? total : (performance.now() - firstAt) / 1000;

      console.log(`\n## bench:mail — ${new Date().toISOString()}\n`);
      console.log(`${settings.count} mails, Dovecot on loopback, load average before: ${fmt(loadBefore, 2)}\n`);
      console.log(
        markdownTable(
          ['measure', 'seconds', 'mails/s'],
          [
            [
              'floor: IMAP list + FETCH of every message, no processing',
              fmt(floorSeconds, 2),
              fmt(settings.count / floorSeconds),
            ],
            [
              `mailbox created → last ticket on the board (poll every ${settings.pollSeconds} s)`,
              fmt(total, 2),
              fmt(settings.count / total),
            ],
            ['first ticket → last ticket', fmt(importing, 2), fmt(settings.count / importing)],
          ],
        ),
      );
    } finally {
      await imap.stop();
    }
  }),
);
