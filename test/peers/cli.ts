/**
 * Starts one test peer by hand, prints how to reach it, and keeps it up until Ctrl-C.
 *
 *   node test/peers/cli.ts oidc [--port 9400] [--redirect-uri URL]…  an OpenID provider
 *   node test/peers/cli.ts imap [--port N] [--sample]                  Dovecot (as root)
 *   node test/peers/cli.ts smtp [--port N]                             an SMTP sink that prints mail
 *
 * For a manual try of single sign-on or the email channel against a local Laneway (`npm run dev`).
 */
import { parseArgs } from 'node:util';
import { startDovecot } from './dovecot.ts';
import { startOidcProvider } from './oidc.ts';
import { startSmtpSink } from './smtp.ts';

const USAGE = 'usage: node test/peers/cli.ts oidc|imap|smtp [--port N] [--redirect-uri URL]… [--sample]';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    sample: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

/** Waits for Ctrl-C (or SIGTERM), then stops the peer. */
async function untilInterrupted(stop: () => Promise<void>) {
  console.log('\nCtrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

const kind = positionals[0];
if (values.help || !kind) {
  console.log(USAGE);
  process.exit(kind || values.help ? 0 : 2);
}

if (kind === 'oidc') {
  const apiOrigins = [
    'http://localhost:5173',
    'http://localhost:3000',
    'http://127.0.0.1:5173',
    'http://127.0.0.1:3000',
  ];
  const redirectUris = values['redirect-uri'] ?? apiOrigins.map((o) => `${o}/api/tickets/auth/oidc/callback/`);
  const oidc = await startOidcProvider({
    redirectUris,
    postLogoutRedirectUris: apiOrigins.map((o) => `${o}/login`),
    port: values.port ? Number(values.port) : 9400,
    clientSecret: 'laneway-dev-secret',
  });
  console.log(`OpenID provider at ${oidc.issuer}
  OIDC_ISSUER=${oidc.issuer}
  OIDC_CLIENT_ID=${oidc.clientId}
  OIDC_CLIENT_SECRET=${oidc.clientSecret}
redirect URIs:
${oidc.redirectUris.map((u) => `  ${u}`).join('\n')}
users (sign in with the login shown, any password):
${oidc.users
  .map((u) => `  ${u.sub.padEnd(8)} ${u.email} verified=${u.email_verified} groups=${(u.groups ?? []).join(',')}`)
  .join('\n')}`);
  await untilInterrupted(() => oidc.stop());
} else if (kind === 'imap') {
  const imap = await startDovecot({
    users: [{ user: 'helpdesk', password: 'helpdesk-password' }],
    ...(values.port ? { port: Number(values.port) } : {}),
  });
  const [{ user, password }] = imap.users as [{ user: string; password: string }];
  if (values.sample) {
    await imap.append(
      user,
      'INBOX',
      [
        'From: Client <client@example.com>',
        'To: helpdesk@example.test',
        'Subject: The printer is on fire',
        `Message-ID: <sample-${Date.now()}@example.com>`,
        `Date: ${new Date().toUTCString()}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please send help.',
        '',
      ].join('\r\n'),
    );
  }
  console.log(`Dovecot IMAP at ${imap.host}:${imap.port} (no TLS)
  user ${user}
  password ${password}
  INBOX holds ${(await imap.list(user, 'INBOX')).length} message(s)
  files under ${imap.dir} (removed on stop)`);
  await untilInterrupted(() => imap.stop());
} else if (kind === 'smtp') {
  const smtp = await startSmtpSink(values.port ? { port: Number(values.port) } : {});
  console.log(
    `SMTP sink at ${smtp.url} (no TLS, no auth)\n  SMTP_URL=${smtp.url}\nEach message is printed as it arrives.`,
  );
  const seen = new Set<unknown>();
  const print = async () => {
    for (;;) {
      const message = await smtp.waitFor((m) => !seen.has(m), 2_147_483_647);
      seen.add(message);
      console.log(`\n--- ${new Date(message.receivedAt).toISOString()} from ${message.envelope.mailFrom ?? '<>'} to ${message.envelope.rcptTo.join(', ')}
Subject: ${message.subject ?? ''}
${(message.text ?? '').trim()}${message.attachments.length ? `\n[${message.attachments.map((a) => a.filename ?? a.contentType).join(', ')}]` : ''}`);
    }
  };
  void print();
  await untilInterrupted(() => smtp.stop());
  process.exit(0);
} else {
  console.error(USAGE);
  process.exit(2);
}
