import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Db, Executor } from '@laneway/db/client';
import { refreshTokens, sessions, users } from '@laneway/db/schema';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';

/**
 * Sessions in the style of the Lucia guide. A token is `id.secret`, each part 120 random
 * bits in lower-case base32. The row is found by `id`; only SHA-256(secret) is stored and it
 * is compared in constant time. The access token slides: a session used in the second half of
 * its lifetime is pushed forward by a full lifetime. Refresh tokens use the same format, rotate
 * on every use, and a rotated token presented again revokes its session (the whole family).
 */

/** A request's signed-in session: who, which session, and how its token came. */
export interface AuthState {
  actor: Actor;
  sessionId: string;
  /** A superuser or anyone with a project role, when the credential was read (write budgets). */
  staff: boolean;
  /** `cookie` requests are subject to the CSRF origin check; `bearer` ones are not. */
  via: 'cookie' | 'bearer';
  /** Set when the request authenticated with an API token (`lw_…`). */
  token?: { id: number; scope: 'read' | 'write' };
}

export interface SessionLifetimes {
  accessMs: number;
  refreshMs: number;
}

export interface IssuedTokens {
  access: string;
  refresh: string;
  sessionId: string;
  accessExpiresAt: Date;
}

function randomPart(): string {
  const bytes = new Uint8Array(15);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

function splitToken(token: string): { id: string; secret: string } | null {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  return { id, secret };
}

function newSecret() {
  const secret = randomPart();
  return { secret, secretHash: hashSecret(secret) };
}

function newToken() {
  const id = randomPart();
  const { secret, secretHash } = newSecret();
  return { id, token: `${id}.${secret}`, secretHash };
}

async function issueRefresh(db: Executor, sessionId: string, lifetimes: SessionLifetimes) {
  const refresh = newToken();
  await db.insert(refreshTokens).values({
    id: refresh.id,
    secretHash: refresh.secretHash,
    sessionId,
    expiresAt: new Date(Date.now() + lifetimes.refreshMs),
  });
  return refresh.token;
}

/** Creates a session and its first refresh token. */
export async function createSession(
  db: Executor,
  userId: number,
  lifetimes: SessionLifetimes,
  meta: { userAgent?: string | null; ip?: string | null } = {},
): Promise<IssuedTokens> {
  const access = newToken();
  const accessExpiresAt = new Date(Date.now() + lifetimes.accessMs);
  await db.insert(sessions).values({
    id: access.id,
    secretHash: access.secretHash,
    userId,
    expiresAt: accessExpiresAt,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    ip: meta.ip ?? null,
  });
  const refresh = await issueRefresh(db, access.id, lifetimes);
  return { access: access.token, refresh, sessionId: access.id, accessExpiresAt };
}

/**
 * Staff (a superuser or anyone with a project role: SPEC §11's write budgets), read with the
 * credential so the budget costs no round trip of its own. A cached credential keeps it: role
 * changes announce `access-changed`, which drops the user's cached credentials.
 */
export const staffSql = sql<boolean>`(${users.isSuperuser} or exists (select 1 from user_roles r where r.user_id = ${users.id}))`;

function prepareSessionLookup(db: Db) {
  return db
    .select({
      secretHash: sessions.secretHash,
      expiresAt: sessions.expiresAt,
      lastUsedAt: sessions.lastUsedAt,
      userId: users.id,
      username: users.username,
      isSuperuser: users.isSuperuser,
      isActive: users.isActive,
      staff: staffSql,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('laneway_session_lookup');
}
const sessionLookups = new WeakMap<Db, ReturnType<typeof prepareSessionLookup>>();

/** Every authenticated request runs this lookup: its SQL is built once per pool, not per call. */
function sessionLookup(db: Db) {
  let lookup = sessionLookups.get(db);
  if (!lookup) sessionLookups.set(db, (lookup = prepareSessionLookup(db)));
  return lookup;
}

/**
 * Resolves an access token to its active user, sliding the expiry when due.
 * Returns null for a malformed, unknown, expired or revoked token, or an inactive user.
 */
export async function validateAccessToken(
  db: Db,
  token: string,
  lifetimes: SessionLifetimes,
): Promise<{ actor: Actor; sessionId: string; staff: boolean; cacheUntil: number } | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await sessionLookup(db).execute({ id: parts.id });
  if (!row || !row.isActive) return null;
  if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(row.secretHash))) return null;
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) return null;
  const slide = row.expiresAt.getTime() - now < lifetimes.accessMs / 2;
  // The sessions list shows the last use to the minute: one write a minute, not one a request.
  const touch = !row.lastUsedAt || now - row.lastUsedAt.getTime() > 60_000;
  if (slide || touch) {
    await db
      .update(sessions)
      .set({ lastUsedAt: new Date(now), ...(slide ? { expiresAt: new Date(now + lifetimes.accessMs) } : {}) })
      .where(eq(sessions.id, parts.id));
  }
  const expiresAt = slide ? now + lifetimes.accessMs : row.expiresAt.getTime();
  return {
    actor: { id: row.userId, username: row.username, isSuperuser: row.isSuperuser },
    sessionId: parts.id,
    staff: row.staff,
    // A cache may keep this answer until the expiry would slide again: the slide is a write here.
    cacheUntil: expiresAt - lifetimes.accessMs / 2,
  };
}

/**
 * Exchanges a refresh token for a new access and refresh token. Reuse of an already rotated
 * token deletes the session, which revokes every token of its family (`reused`: its id).
 */
export async function rotateRefreshToken(
  db: Executor,
  token: string,
  lifetimes: SessionLifetimes,
): Promise<IssuedTokens | { reused: string } | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await db
    .select({
      secretHash: refreshTokens.secretHash,
      sessionId: refreshTokens.sessionId,
      expiresAt: refreshTokens.expiresAt,
      usedAt: refreshTokens.usedAt,
      isActive: users.isActive,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.id, parts.id));
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(row.secretHash))) return null;
  if (row.usedAt) {
    await db.delete(sessions).where(eq(sessions.id, row.sessionId));
    return { reused: row.sessionId };
  }
  if (!row.isActive || row.expiresAt.getTime() <= Date.now()) return null;
  // Only one of two racing refreshes with the same token may win; the loser counts as reuse.
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(refreshTokens.id, parts.id), isNull(refreshTokens.usedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length === 0) {
    await db.delete(sessions).where(eq(sessions.id, row.sessionId));
    return { reused: row.sessionId };
  }
  const access = newSecret();
  const accessExpiresAt = new Date(Date.now() + lifetimes.accessMs);
  // The session keeps its id (so the family stays one row) and gets a new access secret.
  await db
    .update(sessions)
    .set({ secretHash: access.secretHash, expiresAt: accessExpiresAt })
    .where(eq(sessions.id, row.sessionId));
  const refresh = await issueRefresh(db, row.sessionId, lifetimes);
  return { access: `${row.sessionId}.${access.secret}`, refresh, sessionId: row.sessionId, accessExpiresAt };
}

/** Ends one session and its refresh tokens at once. */
export async function revokeSession(db: Executor, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user (logout-all, deactivation, password change). */
export async function revokeUserSessions(db: Executor, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}
