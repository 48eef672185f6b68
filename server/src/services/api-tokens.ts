/** The caller's personal API tokens (SPEC §11): list, create (the secret shown once), revoke. */
import type { Db, Executor } from '@laneway/db/client';
import { apiTokens } from '@laneway/db/schema';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { newApiToken, tokenSessionId, type TokenScope } from '../auth/api-tokens.ts';
import type { Actor } from '../lib/actor.ts';
import { AppError, notFound } from '../lib/errors.ts';
import type { ApiTokenJson, NewApiTokenJson } from '../schemas/api-tokens.ts';
import { audit } from './audit.ts';
import { emitControl, transact } from './publish.ts';

type Row = typeof apiTokens.$inferSelect;

function serialize(row: Row): ApiTokenJson {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** The actor's live tokens (not revoked), newest first; never their secrets. */
export async function listTokens(db: Executor, actor: Actor): Promise<ApiTokenJson[]> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.id));
  return rows.map(serialize);
}

/** Creates a token for the actor; the answer is the only time its secret is seen. */
export async function createToken(
  db: Db,
  actor: Actor,
  input: { name: string; scope: TokenScope; expires_at?: Date | undefined },
): Promise<NewApiTokenJson> {
  if (input.expires_at && input.expires_at.getTime() <= Date.now()) {
    throw new AppError('validation_error', 'The expiry is in the past', { expires_at: ['Must be in the future'] });
  }
  const { token, hash } = newApiToken();
  return transact(db, async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId: actor.id, name: input.name, scope: input.scope, tokenHash: hash, expiresAt: input.expires_at })
      .returning();
    await audit(tx, {
      actorId: actor.id,
      action: 'token.created',
      targetType: 'api_token',
      targetId: row!.id,
      data: { name: input.name, scope: input.scope },
    });
    return { ...serialize(row!), token };
  });
}

/** Revokes one of the actor's tokens (another's: 404); its open sockets close at once. */
export async function revokeToken(db: Db, actor: Actor, id: number): Promise<void> {
  await transact(db, async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (!row) throw notFound();
    await audit(tx, { actorId: actor.id, action: 'token.revoked', targetType: 'api_token', targetId: id });
    emitControl({ kind: 'session-revoked', sessionId: tokenSessionId(id) }, false);
  });
}
