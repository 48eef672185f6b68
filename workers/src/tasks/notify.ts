/**
 * `notify` (SPEC §7): emails a user the notifications they have not read, as one digest.
 *
 * `storeNotifications` adds this job (payload `{user}`, key `notify:user:<id>`, mode
 * `preserve_run_at`) in the transaction that stores the notifications, so a burst of changes
 * shares one pending job. The first run of a burst finds its oldest notification younger than
 * NOTIFICATION_EMAIL_DELAY_SECONDS and re-adds itself for the moment that one comes of age; by
 * then the rest of the burst has arrived and goes out in the same email.
 *
 * `emailed_at` records the outcome of every notification: sent, or skipped (read in the app
 * meanwhile, no SMTP_URL, an inactive user or one without an address, an address the server
 * refuses for good). Notifications are claimed by setting it before sending, so two workers
 * never send the same one; a send that fails releases the claim and throws, and
 * graphile-worker retries the job with its backoff.
 *
 * Only kinds whose channel is `email` (the default; `notification_preferences`) go into the
 * mail; the others are claimed and skipped. A `chat` notification is skipped too when the chat
 * message was already mailed to this user as the ticket's contact (their address is the
 * contact's and the project has an active mailbox: `mail_chat_message` sent it), so a client
 * is not mailed twice for one answer.
 */
import { notifications, users } from '@laneway/db/schema';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { pgArray } from '../../../server/src/lib/sql-array.ts';
import { TASKS } from '@laneway/db/tasks';
import { headerText, mailTransport, renderDigest } from '../mail.ts';
import { defineTask } from '../task.ts';
import type { NotificationKind } from '../../../server/src/schemas/notifications.ts';

/** The job key shared by one user's digest jobs (storeNotifications builds the same in SQL). */
export const notifyJobKey = (userId: number) => `notify:user:${userId}`;

/** The SMTP server refused this recipient for good (5xx to RCPT TO): retrying cannot help. */
function refusedForGood(error: unknown): boolean {
  const e = error as { code?: unknown; command?: unknown; permanent?: unknown } | null;
  return e?.code === 'EENVELOPE' && e.command === 'RCPT TO' && e.permanent === true;
}

export const notify = defineTask(
  z.object({ user: z.number().int().positive() }).loose(),
  async ({ user: userId }, { deps, helpers, log }) => {
    const { db, config } = deps;
    const [user] = await db
      .select({ email: users.email, name: users.name, username: users.username, isActive: users.isActive })
      .from(users)
      .where(eq(users.id, userId));
    const smtpUrl = config.SMTP_URL;
    const sendable = Boolean(smtpUrl && user?.isActive && user.email.trim());

    // The oldest unread one waiting: its digest goes out `delay` after it was created. Both
    // times in ms since the epoch by the database's clock, which also decides when jobs run.
    const [pending] = await db
      .select({
        waiting: sql<number>`count(*)`.mapWith(Number),
        oldestAt: sql<number | null>`ceil(extract(epoch from min(${notifications.createdAt})
          filter (where ${notifications.readAt} is null)) * 1000)`.mapWith(Number),
        now: sql<number>`extract(epoch from now()) * 1000`.mapWith(Number),
      })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.emailedAt)));
    if (!pending?.waiting) return;
    const delayMs = config.NOTIFICATION_EMAIL_DELAY_SECONDS * 1000;
    if (sendable && pending.oldestAt !== null && pending.oldestAt + delayMs > pending.now) {
      // This run holds the key's current job, so this adds a new one; `replace` sets the time
      // computed here even over a job that storeNotifications added meanwhile.
      const runAt = new Date(pending.oldestAt + delayMs);
      await helpers.addJob(
        TASKS.notify,
        { user: userId },
        { jobKey: notifyJobKey(userId), jobKeyMode: 'replace', runAt },
      );
      return;
    }

    const claimed = await db.execute<{
      id: number;
      kind: NotificationKind;
      ticket_id: number | null;
      data: Record<string, unknown>;
      read: boolean;
      mailable: boolean;
      actor_name: string | null;
    }>(sql`
      with claimed as (
        update notifications set emailed_at = now()
        where user_id = ${userId} and emailed_at is null
        returning id, kind, ticket_id, actor_id, data, read_at)
      select c.id, c.kind, c.ticket_id, c.data, c.read_at is not null as read,
        coalesce(p.channel, 'email') = 'email' and not (c.kind = 'chat' and exists (
          select 1 from tickets t
            join contacts ct on ct.id = t.contact_id
            join users me on me.id = ${userId}
          where t.id = c.ticket_id and ct.email <> '' and lower(ct.email) = lower(me.email)
            and exists (select 1 from mailboxes b where b.project_id = t.project_id and b.is_active))) as mailable,
        coalesce(nullif(a.name, ''), a.username) as actor_name
      from claimed c left join users a on a.id = c.actor_id
        left join notification_preferences p on p.user_id = ${userId} and p.kind = c.kind
      order by c.id`);
    const unread = claimed.filter((n) => !n.read && n.mailable);
    if (!sendable || !unread.length) {
      log.debug({ user: userId, skipped: claimed.length }, 'notifications marked emailed without sending');
      return;
    }

    const mail = renderDigest(
      unread.map((n) => ({ kind: n.kind, ticketId: n.ticket_id, actorName: n.actor_name, data: n.data })),
      { recipientName: user!.name || user!.username, publicUrl: config.PUBLIC_URL },
    );
    try {
      const transport = await mailTransport(smtpUrl!);
      await transport.sendMail({
        from: config.MAIL_FROM,
        to: { name: headerText(user!.name, 100), address: user!.email },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // RFC 3834: an automatic message, so vacation responders stay quiet.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      if (refusedForGood(error)) {
        log.warn({ user: userId, err: error }, 'notification email refused for good: not retried');
        return;
      }
      await db.execute(sql`
        update notifications set emailed_at = null where id = any(${pgArray(
          claimed.map((n) => n.id),
          'int',
        )})`);
      throw error;
    }
    log.info({ user: userId, notifications: unread.length }, 'notification email sent');
  },
);
