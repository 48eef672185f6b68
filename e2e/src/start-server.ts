/**
 * Starts Laneway for the end-to-end tests (Playwright's `webServer`): a fresh database
 * `laneway_e2e_<pid>` on the PostgreSQL of TEST_DATABASE_URL (default: the local one), the
 * built web app, the job worker inline, on E2E_PORT, sending mail to an SMTP sink whose messages
 * land in E2E_MAIL_DIR. On SIGTERM/SIGINT it stops the server and
 * drops the database.
 */
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { startSmtpSink } from '../../test/peers/smtp.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const port = process.env.E2E_PORT;
const databaseName = process.env.E2E_DATABASE;
if (!port || !databaseName) throw new Error('E2E_PORT and E2E_DATABASE are set by e2e/playwright.config.ts');

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/${databaseName}`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
await admin.unsafe(`create database "${databaseName}"`);

// A real SMTP server (the test peer) that writes every message it gets into E2E_MAIL_DIR, one
// JSON file each, where the specs read them (e2e/src/mail.ts).
const mailDir = process.env.E2E_MAIL_DIR;
if (!mailDir) throw new Error('E2E_MAIL_DIR is set by e2e/playwright.config.ts');
const smtp = await startSmtpSink();
let written = 0;
const writeMail = setInterval(() => {
  for (; written < smtp.messages.length; written++) {
    const mail = smtp.messages[written]!;
    const json = JSON.stringify({
      to: mail.envelope.rcptTo,
      subject: mail.subject ?? '',
      text: mail.text ?? '',
      // The threading headers and the reply address, for the email channel's spec (mail.spec.ts).
      from: mail.from?.value[0]?.address ?? null,
      replyTo: mail.replyTo?.value[0]?.address ?? null,
      messageId: mail.messageId ?? null,
      inReplyTo: mail.inReplyTo ?? null,
      references: mail.references === undefined ? [] : [mail.references].flat(),
    });
    const file = join(mailDir, `${String(written).padStart(6, '0')}.json`);
    // Written aside and renamed: a reader never sees half a file.
    writeFileSync(`${file}.part`, json);
    renameSync(`${file}.part`, file);
  }
}, 50);

const server = spawn(process.execPath, ['server/src/main.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    SECRET_KEY: 'e2e secret key, not for any real deployment',
    DATABASE_URL: databaseUrl.href,
    PORT: port,
    HOST: '127.0.0.1',
    WORKER_MODE: 'inline',
    // Mail (invitations, resets, notifications) goes to the SMTP sink below.
    SMTP_URL: smtp.url,
    // settings.spec.ts points a webhook at a receiver on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // mail.spec.ts waits for its mailbox to be read: the shortest interval allowed, not a minute.
    MAIL_POLL_SECONDS: '5',
    // The specs' fixtures write as one admin from parallel workers: keep the role limits out of the way.
    RATE_LIMIT_WRITES_PER_MINUTE: '1000000,1000000,1000000',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // projects.spec.ts ends a session by writing its expiry into the database, which no running
    // server hears of; the credential cache has its own tests (server/src/auth/credential-cache.test.ts).
    SESSION_CACHE_SECONDS: '0',
    // Only the test runner's own variables: not a developer's Redis, public URL or origins.
    REDIS_URL: '',
    REDIS_HOST: '',
    PUBLIC_URL: '',
    CORS_ALLOWED_ORIGINS: '',
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  clearInterval(writeMail);
  await smtp.stop();
  await admin.unsafe(`drop database if exists "${databaseName}" with (force)`).catch(() => {});
  await admin.end();
  process.exit(code);
}
server.once('exit', (code) => void stop(code ?? 1));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(0));
