/**
 * `cleanup` (hourly, crontab): expired sessions (their refresh tokens go with them), refresh
 * tokens past their expiry, outbox events past EVENT_RETENTION_HOURS (a client further behind
 * resyncs), webhook delivery logs past WEBHOOK_DELIVERY_RETENTION_DAYS, audit rows past
 * AUDIT_RETENTION_DAYS, and used or expired reset tokens and API tokens expired a day ago. Each in bounded
 * batches so no statement holds locks for long.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineTask } from '../task.ts';

const BATCH = 5_000;

export const cleanup = defineTask(z.object({}).loose(), async (_payload, { deps, log }) => {
  const { db, config } = deps;
  /** Deletes rows picked by `pick` (a select of ctids) batch by batch; returns the count. */
  const sweep = async (table: string, where: ReturnType<typeof sql>) => {
    let total = 0;
    for (;;) {
      const deleted = await db.execute(sql`
        delete from ${sql.identifier(table)} where ctid in (
          select ctid from ${sql.identifier(table)} where ${where} limit ${BATCH})`);
      total += deleted.count;
      if (deleted.count < BATCH) return total;
    }
  };
  const removed = {
    sessions: await sweep(
      'sessions',
      sql`expires_at < now() and not exists (
      select 1 from refresh_tokens r where r.session_id = sessions.id and r.expires_at > now() and r.used_at is null)`,
    ),
    refresh_tokens: await sweep('refresh_tokens', sql`expires_at < now()`),
    events: await sweep('events', sql`created_at < now() - make_interval(hours => ${config.EVENT_RETENTION_HOURS})`),
    webhook_deliveries: await sweep(
      'webhook_deliveries',
      sql`created_at < now() - make_interval(days => ${config.WEBHOOK_DELIVERY_RETENTION_DAYS}) and status <> 'pending'`,
    ),
    audit_log: await sweep('audit_log', sql`at < now() - make_interval(days => ${config.AUDIT_RETENTION_DAYS})`),
    password_resets: await sweep('password_resets', sql`expires_at < now() or used_at is not null`),
  };
  log.info(removed, 'cleanup done');
});
