/**
 * The instance-wide audit log (SPEC §11). A row is written with the executor of the change it
 * records, so it commits or rolls back with it. The client's address and user agent come from
 * the request scope (`withAuditClient`, set by the app for every API request), so services
 * that record do not each take them as arguments.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Executor } from '@laneway/db/client';
import { auditLog, users } from '@laneway/db/schema';
import { and, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { forbidden } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { canReadAudit } from '../policy/index.ts';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../schemas/audit.ts';

export { AUDIT_ACTIONS, type AuditAction };

interface AuditClient {
  ip: string | null;
  userAgent: string | null;
}

const clientScope = new AsyncLocalStorage<AuditClient>();

/** Runs `fn` with the request's client recorded on every audit row it writes. */
export function withAuditClient<T>(client: AuditClient, fn: () => T): T {
  return clientScope.run(client, fn);
}

export interface AuditRecord {
  /** Who acted; null for an anonymous request (a failed sign-in, a reset by token). */
  actorId: number | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string | number;
  data?: Record<string, unknown>;
}

/** Writes one audit row with `db` (pass the change's transaction). */
export async function audit(db: Executor, record: AuditRecord): Promise<void> {
  const client = clientScope.getStore();
  await db.insert(auditLog).values({
    actorId: record.actorId,
    action: record.action,
    targetType: record.targetType ?? null,
    targetId: record.targetId === undefined ? null : String(record.targetId),
    ip: client?.ip ?? null,
    userAgent: client?.userAgent?.slice(0, 512) ?? null,
    data: record.data ?? {},
  });
}

export interface AuditFilters extends PageParams {
  actor?: number;
  action?: AuditAction;
  since?: Date;
  until?: Date;
}

/** One page of the audit log, newest first (superuser). */
export async function listAudit(
  db: Db,
  actor: Actor,
  filters: AuditFilters,
): Promise<{ count: number; results: AuditEntry[] }> {
  if (!canReadAudit(actor)) throw forbidden('Only the instance superuser reads the audit log');
  const where: SQL[] = [];
  if (filters.actor !== undefined) where.push(eq(auditLog.actorId, filters.actor));
  if (filters.action !== undefined) where.push(eq(auditLog.action, filters.action));
  if (filters.since) where.push(gte(auditLog.at, filters.since));
  if (filters.until) where.push(lte(auditLog.at, filters.until));
  const { limit, offset } = pageWindow(filters);
  const rows = await db
    .select({
      row: auditLog,
      actorUsername: users.username,
      count: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit)
    .offset(offset);
  return {
    count: rows[0]?.count ?? 0,
    results: rows.map(({ row, actorUsername }) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: row.actorId === null ? null : { id: row.actorId, username: actorUsername ?? '' },
      action: row.action,
      target_type: row.targetType,
      target_id: row.targetId,
      ip: row.ip,
      user_agent: row.userAgent,
      data: row.data,
    })),
  };
}
