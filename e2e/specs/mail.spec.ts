/**
 * The email channel end to end (SPEC §13, issue 16): a real Dovecot beside the e2e server (the
 * test peer, started here), the server's SMTP sink (e2e/src/start-server.ts) catching what it
 * sends. The server reads mailboxes every MAIL_POLL_SECONDS (5 in e2e), so every wait below is
 * a generous expectation, never a sleep.
 */
import { startDovecot, type Dovecot } from '../../test/peers/dovecot.ts';
import { boardColumn, expect, gotoReady, openBoard, test } from '../src/fixtures.ts';
import { waitForMail } from '../src/mail.ts';

/** Longer than a poll interval plus a busy machine's import. */
const MAIL_WAIT = 30_000;

/** An RFC 5322 message with CRLF line ends. */
function message(o: {
  from: string;
  to: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  text: string;
}): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${o.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text,
    '',
  ].join('\r\n');
}

let running: Dovecot | undefined;
/** One Dovecot for the file's tests, started by the first that needs it. */
async function dovecot(): Promise<Dovecot> {
  running ??= await startDovecot();
  return running;
}
test.afterAll(async () => {
  await running?.stop();
});

test('a mail becomes a live card, the agent’s chat answer is mailed, the client’s reply shows in the open chat', async ({
  page,
  api,
}) => {
  test.setTimeout(150_000);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const imap = await dovecot();
  const { user, password } = imap.users[0]!;
  const project = await api.createProject(`Mail ${suffix}`);
  const support = `support-${suffix}@acme.test`;
  const client = `ada-${suffix}@client.test`;

  // The mailbox is connected in the project's settings (Email), new mail landing in "In Progress".
  await gotoReady(page, `/projects/${project.id}/settings`);
  const add = page.getByRole('form', { name: 'Add a mailbox' });
  await add.getByLabel('Address').fill(support);
  await add.getByLabel('IMAP host').fill(imap.host);
  await add.getByLabel('Port').fill(String(imap.port));
  await add.getByLabel('TLS').uncheck();
  await add.getByLabel('Username').fill(user);
  await add.getByLabel('Password (app password)').fill(password);
  await add.getByLabel('Intake column').selectOption({ label: 'In Progress' });
  await add.getByRole('button', { name: 'Add mailbox' }).click();
  const listed = page.getByTestId('mailbox').filter({ hasText: support });
  await expect(listed.getByTestId('mailbox-intake')).toHaveText('→ In Progress');
  await listed.getByRole('button', { name: 'Test connection' }).click();
  await expect(listed.getByRole('status').filter({ hasText: 'Connected' })).toHaveText(
    'Connected: 0 messages in INBOX.',
  );
  const mailbox = (
    await api.call<{ results: { id: number; address: string }[] }>('GET', `/projects/${project.id}/mailboxes/`)
  ).results.find((m) => m.address === support)!;

  try {
    // 1. A mail appended to the IMAP server appears on the open board, no reload.
    await openBoard(page, project.id);
    const subject = `Printer on fire ${suffix}`;
    const firstId = `<first.${suffix}@client.test>`;
    await imap.append(
      user,
      'INBOX',
      message({ from: `Ada Lovelace <${client}>`, to: support, subject, messageId: firstId, text: 'It is on fire.' }),
    );
    const mailed = boardColumn(page, 'In Progress').getByTestId('card').filter({ hasText: subject });
    await expect(mailed).toBeVisible({ timeout: MAIL_WAIT });
    await expect(mailed.getByTestId('card-via-email')).toHaveText('via email');

    // 2. The agent answers in the ticket's chat; the SMTP sink gets it, threaded, with the
    // signed reply address.
    await mailed.getByRole('link', { name: subject }).click();
    const drawer = page.getByRole('dialog', { name: subject });
    await expect(drawer.getByTestId('ticket-via-email')).toBeVisible();
    const ticket = (await api.board(project.id)).flatMap((c) => c.tickets).find((t) => t.title === subject)!;
    const key = ticket.key;
    await drawer.getByRole('tab', { name: 'Activity' }).click();
    await expect(drawer.getByTestId('activity')).toContainText('An email created the ticket');
    await drawer.getByRole('tab', { name: 'Chat' }).click();
    const compose = drawer.getByRole('textbox', { name: 'Message' });
    await compose.fill('Have you tried turning it off and on again?');
    await drawer.getByRole('button', { name: 'Send' }).click();
    await expect(drawer.getByTestId('chat-message').filter({ hasText: 'turning it off' })).toHaveAttribute(
      'data-status',
      'sent',
    );

    const answer = await waitForMail((m) => m.to.includes(client) && m.subject.includes(key), MAIL_WAIT);
    expect(answer.subject).toBe(`Re: ${subject} [${key}]`);
    expect(answer.text.trim()).toBe('Have you tried turning it off and on again?');
    expect(answer.from).toBe(support);
    expect(answer.messageId).toMatch(/^<laneway\.\d+\.[\w-]+@acme\.test>$/);
    expect(answer.inReplyTo).toBe(firstId);
    expect(answer.references).toEqual([firstId]);
    expect(answer.replyTo).toMatch(new RegExp(`^support-${suffix}\\+\\d+\\.\\d+\\.[0-9a-f]{20}@acme\\.test$`));

    // 3. The client replies from their mail client, to the reply address: the reply shows in
    // the open chat, marked "via email", quoted history trimmed.
    await imap.append(
      user,
      'INBOX',
      message({
        from: `Ada Lovelace <${client}>`,
        to: answer.replyTo!,
        subject: `Re: ${answer.subject}`,
        messageId: `<reply.${suffix}@client.test>`,
        inReplyTo: answer.messageId!,
        text: [
          'Yes, twice. Still smoking.',
          '',
          `On ${new Date().toUTCString()} Ada Admin <${support}> wrote:`,
          '> Have you tried turning it off and on again?',
        ].join('\r\n'),
      }),
    );
    const reply = drawer.getByTestId('chat-message').filter({ hasText: 'Still smoking' });
    await expect(reply).toBeVisible({ timeout: MAIL_WAIT });
    await expect(reply.getByTestId('via-email')).toHaveText('via email');
    await expect(reply).toContainText('Ada Lovelace');
    await expect(reply).not.toContainText('turning it off');

    // 4. The mailbox's delivery log in the settings says what became of both mails.
    await gotoReady(page, `/projects/${project.id}/settings`);
    const row = page.getByTestId('mailbox').filter({ hasText: support });
    await row.getByRole('button', { name: 'Log' }).click();
    const log = row.getByRole('row');
    await expect(log).toHaveCount(2);
    await expect(log.filter({ hasText: 'appended' })).toContainText(client);
    await expect(log.filter({ hasText: 'imported' })).toContainText(subject);
  } finally {
    // A mailbox whose server is gone would be read (and fail) every 5 s for the rest of the run.
    await api.call('DELETE', `/mailboxes/${mailbox.id}/`, undefined, 204);
  }
});

test('a refused IMAP login is shown in the server’s words; a new password connects', async ({ page, api }) => {
  const imap = await dovecot();
  const { user, password } = imap.users[0]!;
  const project = await api.createProject(`Mail login ${Date.now().toString(36)}`);
  const support = `desk-${Date.now().toString(36)}@acme.test`;
  const mailbox = await api.call<{ id: number }>(
    'POST',
    `/projects/${project.id}/mailboxes/`,
    { address: support, imap: { host: imap.host, port: imap.port, tls: false, username: user, password: 'wrong' } },
    201,
  );
  try {
    await gotoReady(page, `/projects/${project.id}/settings`);
    const row = page.getByTestId('mailbox').filter({ hasText: support });
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect(row.getByRole('alert')).toContainText(/authentication failed/i);

    await row.getByRole('button', { name: 'Change password' }).click();
    await row.getByLabel('New password', { exact: true }).fill(password);
    await row.getByRole('button', { name: 'Save password' }).click();
    await expect(row.getByRole('status')).toHaveText('Password changed.');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect(row.getByRole('status')).toHaveText(/^Connected: \d+ messages in INBOX\.$/);
    await expect(row.getByRole('alert')).toHaveCount(0);
  } finally {
    await api.call('DELETE', `/mailboxes/${mailbox.id}/`, undefined, 204);
  }
});
