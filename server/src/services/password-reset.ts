/**
 * Password reset by email (SPEC §11). A request answers the same whether or not the address
 * exists; the token (256 bits) is stored as SHA-256, works once, lives PASSWORD_RESET_TTL_MINUTES,
 * and a newer request or any password change voids older ones. Confirming ends every session
 * and socket of the user and signs nobody in.
 */
import type { Db, Executor } from '@laneway/db/client';
import { passwordResets, users } from '@laneway/db/schema';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { hashToken } from '../auth/api-tokens.ts';
import { hashPassword } from '../auth/passwords.ts';
import { revokeUserSessions } from '../auth/sessions.ts';
import { AppError } from '../lib/errors.ts';
import { queueAccountMail } from './account-mail.ts';
import { audit } from './audit.ts';
import { emitControl, transact } from './publish.ts';

/** Voids a user's open reset tokens (a newer request, or a password change). */
export async function voidResetTokens(db: Executor, userId: number): Promise<void> {
  await db.delete(passwordResets).where(eq(passwordResets.userId, userId));
}

/**
 * Starts a reset for `email` if an active user has it; otherwise does nothing, and the caller
 * answers the same either way.
 */
export async function requestReset(
  db: Db,
  input: { email: string; ttlMinutes: number; baseUrl: string; key: Buffer },
): Promise<void> {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, username: users.username })
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${input.email})`, eq(users.isActive, true)));
  if (!user) return;
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const token = encodeBase32LowerCaseNoPadding(bytes);
  await transact(db, async (tx) => {
    await voidResetTokens(tx, user.id);
    await tx.insert(passwordResets).values({
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + input.ttlMinutes * 60_000),
    });
    await queueAccountMail(tx, input.key, {
      kind: 'password_reset',
      to: user.email,
      name: user.name || user.username,
      link: `${input.baseUrl}/reset/${token}`,
      data: { minutes: String(input.ttlMinutes) },
    });
  });
}

const badToken = () =>
  new AppError('validation_error', 'This reset link is invalid or has expired', { token: ['Invalid or expired'] });

/** Sets a new password with a reset token, once; every session and socket of the user ends. */
export async function confirmReset(db: Db, token: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await transact(db, async (tx) => {
    const [row] = await tx
      .update(passwordResets)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(passwordResets.tokenHash, hashToken(token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, sql`now()`),
        ),
      )
      .returning({ userId: passwordResets.userId });
    if (!row) throw badToken();
    const [user] = await tx
      .update(users)
      .set({ passwordHash })
      .where(and(eq(users.id, row.userId), eq(users.isActive, true)))
      .returning({ id: users.id });
    if (!user) throw badToken();
    await voidResetTokens(tx, user.id);
    await revokeUserSessions(tx, user.id);
    await audit(tx, { actorId: null, action: 'auth.password_reset', targetType: 'user', targetId: user.id });
    emitControl({ kind: 'user-revoked', userId: user.id }, false);
  });
}
