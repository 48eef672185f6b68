/** The caller's signed-in devices (SPEC §11): list with a readable device name, end one. */
import type { Db, Executor } from '@laneway/db/client';
import { sessions } from '@laneway/db/schema';
import Bowser from 'bowser';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import type { SessionJson } from '../schemas/sessions.ts';
import { audit } from './audit.ts';
import { emitControl, transact } from './publish.ts';

/** "Firefox 133 on Linux", "Mobile Safari 17.4 on iOS", or the raw string's start when unknown. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const parsed = Bowser.parse(ua);
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const os = parsed.os.name ?? '';
  if (!browser && !os) return ua.slice(0, 60);
  return os ? `${browser || 'Unknown browser'} on ${os}` : browser;
}

/** The actor's live sessions, most recently used first; `current` marks the caller's. */
export async function listSessions(db: Executor, actor: Actor, currentId: string): Promise<SessionJson[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, actor.id),
        // A session whose access expired still counts while it can be refreshed.
        sql`(${sessions.expiresAt} > now() or exists (select 1 from refresh_tokens r
          where r.session_id = ${sessions.id} and r.expires_at > now() and r.used_at is null))`,
      ),
    )
    .orderBy(desc(sql`coalesce(${sessions.lastUsedAt}, ${sessions.createdAt})`));
  return rows.map((row) => ({
    id: row.id,
    created_at: row.createdAt.toISOString(),
    last_used_at: (row.lastUsedAt ?? row.createdAt).toISOString(),
    user_agent: row.userAgent,
    device: describeUserAgent(row.userAgent),
    ip: row.ip,
    current: row.id === currentId,
  }));
}

/** Ends one of the actor's sessions (another's: 404), its refresh tokens and its sockets. */
export async function endSession(db: Db, actor: Actor, id: string): Promise<void> {
  await transact(db, async (tx) => {
    const [row] = await tx
      .delete(sessions)
      .where(and(eq(sessions.id, id), eq(sessions.userId, actor.id)))
      .returning({ id: sessions.id });
    if (!row) throw notFound();
    await audit(tx, { actorId: actor.id, action: 'session.revoked', targetType: 'session', targetId: id });
    emitControl({ kind: 'session-revoked', sessionId: id }, false);
  });
}
