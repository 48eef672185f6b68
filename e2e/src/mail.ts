/**
 * The mail the e2e server sent: its SMTP sink (e2e/src/start-server.ts) writes each message into
 * E2E_MAIL_DIR as one JSON file; these helpers read them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SentMail {
  to: string[];
  subject: string;
  text: string;
  /** The sender's address. */
  from: string | null;
  /** The Reply-To address (the email channel's signed reply address). */
  replyTo: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

function sent(): SentMail[] {
  const dir = process.env.E2E_MAIL_DIR;
  if (!dir) throw new Error('E2E_MAIL_DIR is set by e2e/playwright.config.ts');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as SentMail);
}

/** The first mail sent so far, or within `timeoutMs`, that matches. */
export async function waitForMail(match: (mail: SentMail) => boolean, timeoutMs = 20_000): Promise<SentMail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = sent().find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no matching mail within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
