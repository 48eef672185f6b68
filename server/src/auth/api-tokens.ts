/**
 * Personal API tokens (SPEC §11, docs/decisions/0022). A token is `lw_` + 256 random bits in
 * lower-case base32; only SHA-256 of the whole token is stored, and a request finds its row by
 * that hash (a unique index), so the secret itself is never compared byte by byte against
 * anything an attacker can time. A token acts as its user, as a bearer credential that no
 * browser attaches by itself; its "session id" on sockets is `api:<id>`, so revoking it closes
 * them through the same control message as a session's.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Db } from '@laneway/db/client';
import { apiTokens, users } from '@laneway/db/schema';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { staffSql } from './sessions.ts';

export const API_TOKEN_PREFIX = 'lw_';
export type TokenScope = 'read' | 'write';

/** The socket / auth-state id of a token: never a session id (those have no colon). */
export const tokenSessionId = (id: number) => `api:${id}`;

/** Hashes any handed-out secret for storage and lookup. */
export function hashToken(token: string): Uint8Array {
  return sha256(new TextEncoder().encode(token));
}

/** A fresh token and its stored hash. */
export function newApiToken(): { token: string; hash: Uint8Array } {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const token = `${API_TOKEN_PREFIX}${encodeBase32LowerCaseNoPadding(bytes)}`;
  return { token, hash: hashToken(token) };
}

export const isApiToken = (token: string) => token.startsWith(API_TOKEN_PREFIX);

/** `last_used_at` is written at most this often per token: a busy integration is not a write per call. */
const TOUCH_MS = 60_000;

/**
 * Resolves an API token to its active user: null for an unknown, revoked or expired token or
 * an inactive user.
 */
export async function validateApiToken(
  db: Db,
  token: string,
): Promise<{
  actor: Actor;
  sessionId: string;
  staff: boolean;
  token: { id: number; scope: TokenScope };
  cacheUntil: number;
} | null> {
  if (!isApiToken(token) || token.length > 100) return null;
  const [row] = await db
    .select({
      id: apiTokens.id,
      scope: apiTokens.scope,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      username: users.username,
      isSuperuser: users.isSuperuser,
      staff: staffSql,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
        eq(users.isActive, true),
      ),
    );
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  }
  return {
    actor: { id: row.userId, username: row.username, isSuperuser: row.isSuperuser },
    sessionId: tokenSessionId(row.id),
    staff: row.staff,
    token: { id: row.id, scope: row.scope },
    cacheUntil: row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * Routes no API token may call (SPEC §11: tokens cannot manage tokens, sessions, the password
 * or 2FA, nor link single sign-on), as path prefixes under the API prefix; `PATCH /auth/me` too, since changing the
 * account's email would let a token holder reset the password and take the account.
 */
const ACCOUNT_PATHS = ['/auth/tokens', '/auth/sessions', '/auth/password', '/auth/2fa', '/auth/logout', '/auth/oidc'];

/** Whether an API token may make this request (`path` under the API prefix). */
export function tokenMayCall(scope: TokenScope, method: string, path: string): 'ok' | 'read-only' | 'account' {
  const clean = path.replace(/\/+$/, '');
  if (ACCOUNT_PATHS.some((p) => clean === p || clean.startsWith(`${p}/`) || clean.startsWith(`${p}-`)))
    return 'account';
  if (clean === '/auth/me' && method !== 'GET' && method !== 'HEAD') return 'account';
  if (scope === 'read' && !['GET', 'HEAD', 'OPTIONS'].includes(method)) return 'read-only';
  return 'ok';
}
