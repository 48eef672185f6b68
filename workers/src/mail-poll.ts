/**
 * Reads one mailbox (SPEC §13): every message in its folder goes through `importMail`, then is
 * flagged `\Seen $Laneway` and moved to the imported folder (in batches, each message only
 * after its import committed), so a crash leaves it where the next poll finds it again (and the
 * unique Message-ID makes that a no-op).
 * Whatever one message does (too large, malformed, a database error), the next is still read.
 */
import type { Db } from '@laneway/db/client';
import { mailboxes } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { Config } from '../../server/src/env.ts';
import type { Secrets } from '../../server/src/lib/secrets.ts';
import { connectImap, describeImapError, serverPath } from '../../server/src/mail/imap.ts';
import { importMail, intakeLimits, type IntakeOutcome } from '../../server/src/services/mail-intake.ts';
import { imapSettings, type MailboxRow } from '../../server/src/services/mailboxes.ts';

/** How many handled messages are flagged and moved with one pair of IMAP commands. */
const MOVE_BATCH = 50;

/** The keyword set on every message Laneway has handled. */
export const HANDLED_FLAG = '$Laneway';

export interface PollDeps {
  db: Db;
  config: Config;
  secrets: Secrets;
  logger: Logger;
}

export { intakeLimits };

export type PollCounts = Record<IntakeOutcome | 'failed', number>;

/** Creates the folder unless it exists. */
async function ensureFolder(client: ImapFlow, folder: string): Promise<void> {
  const listed = await client.list();
  if (listed.some((m) => m.path === folder)) return;
  await client.mailboxCreate(folder).catch((error: unknown) => {
    if (!/already ?exists/i.test(describeImapError(error))) throw error;
  });
}

/** Reads the mailbox once; records `last_polled_at` and the error, if any, on the mailbox. */
export async function pollMailbox(deps: PollDeps, box: MailboxRow): Promise<PollCounts> {
  const counts: PollCounts = { imported: 0, appended: 0, ignored: 0, refused: 0, duplicate: 0, failed: 0 };
  const limits = intakeLimits(deps.config, deps.secrets);
  const log = deps.logger.child({ mailbox: box.id });
  let client: ImapFlow | null = null;
  try {
    client = await connectImap(imapSettings(deps.secrets, box));
    const folder = await serverPath(client, box.imapFolder);
    const imported = await serverPath(client, box.importedFolder);
    await ensureFolder(client, imported);
    const lock = await client.getMailboxLock(folder);
    try {
      const exists = typeof client.mailbox === 'object' ? client.mailbox.exists : 0;
      if (exists > 0) {
        // Listed first: IMAP allows no other command while a FETCH is being read.
        const messages = await client.fetchAll('1:*', { uid: true, size: true, envelope: true, flags: true });
        // Messages whose import committed, flagged then moved together: two IMAP commands per
        // MOVE_BATCH messages instead of two per message. A crash before that leaves them in the
        // folder, where the next poll finds them recorded (`duplicate`) and moves them.
        const handled: number[] = [];
        const session = client;
        const putAway = async () => {
          const uids = handled.splice(0).join(',');
          if (!uids) return;
          try {
            await session.messageFlagsAdd(uids, ['\\Seen', HANDLED_FLAG], { uid: true });
            await session.messageMove(uids, imported, { uid: true });
          } catch (error) {
            log.warn({ err: error, uids }, 'moving imported mail failed; the next poll moves it');
          }
        };
        for (const message of messages) {
          try {
            const sender = message.envelope?.from?.[0]?.address;
            const hint = {
              messageId: message.envelope?.messageId,
              sender,
              subject: message.envelope?.subject,
              size: message.size,
            };
            let raw: Buffer | null = null;
            if ((message.size ?? 0) <= limits.maxMailBytes) {
              const full = await client.fetchOne(String(message.uid), { source: true }, { uid: true });
              raw = full ? (full.source ?? null) : null;
            }
            const result = await importMail(deps.db, limits, box, raw, hint);
            counts[result.outcome] += 1;
            // Only now, after the commit, is it put aside for flagging and moving.
            handled.push(message.uid);
            if (handled.length >= MOVE_BATCH) await putAway();
          } catch (error) {
            counts.failed += 1;
            log.warn(
              { err: error, uid: message.uid },
              'mail intake failed for one message; it stays for the next poll',
            );
          }
        }
        await putAway();
      }
    } finally {
      lock.release();
    }
    await deps.db
      .update(mailboxes)
      .set({ lastPolledAt: sql`now()`, lastError: null })
      .where(eq(mailboxes.id, box.id));
  } catch (error) {
    const message = describeImapError(error).slice(0, 1000);
    log.warn({ err: message }, 'mailbox poll failed');
    await deps.db
      .update(mailboxes)
      .set({ lastPolledAt: sql`now()`, lastError: message })
      .where(eq(mailboxes.id, box.id));
  } finally {
    await client?.logout().catch(() => client?.close());
  }
  return counts;
}
