/**
 * `poll_mailboxes`: reads every active mailbox that is due (last read MAIL_POLL_SECONDS ago or
 * more), then queues itself again for MAIL_POLL_SECONDS later. One job key (`poll_mailboxes`)
 * means one chain however many workers start; the worker queues the first link at start-up.
 */
import { TASKS } from '@laneway/db/tasks';
import { mailboxes } from '@laneway/db/schema';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { pollMailbox } from '../mail-poll.ts';
import { defineTask } from '../task.ts';

/** The job key of the chain. */
export const POLL_JOB_KEY = 'poll_mailboxes';

export const pollMailboxes = defineTask(z.object({}).loose(), async (_payload, { deps, helpers, log }) => {
  const seconds = deps.config.MAIL_POLL_SECONDS;
  try {
    const due = await deps.db
      .select()
      .from(mailboxes)
      .where(
        and(
          eq(mailboxes.isActive, true),
          or(
            isNull(mailboxes.lastPolledAt),
            // A little early rather than a whole period late.
            lt(mailboxes.lastPolledAt, sql`now() - make_interval(secs => ${seconds * 0.9})`),
          ),
        ),
      )
      .orderBy(mailboxes.id);
    for (const box of due) {
      const counts = await pollMailbox(deps, box);
      if (counts.imported || counts.failed || counts.refused) log.info({ mailbox: box.id, ...counts }, 'mailbox read');
    }
  } finally {
    await helpers.addJob(
      TASKS.pollMailboxes,
      {},
      { jobKey: POLL_JOB_KEY, jobKeyMode: 'replace', runAt: new Date(Date.now() + seconds * 1000), maxAttempts: 1 },
    );
  }
});
