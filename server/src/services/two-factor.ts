/**
 * TOTP two-factor authentication (SPEC §11, docs/decisions/0023): enrolment, the sign-in's
 * second step, recovery codes, disabling and a superuser reset. The key that seals secrets
 * comes from the caller (`auth/secret-key.ts`), so this module reads no files.
 */
import type { Db, Executor } from '@laneway/db/client';
import { mfaChallenges, recoveryCodes, ssoSessions, userRoles, users, userTotp } from '@laneway/db/schema';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { hashToken } from '../auth/api-tokens.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import {
  enrolment,
  matchingStep,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  seal,
  unseal,
} from '../auth/totp.ts';
import type { Config } from '../env.ts';
import type { Actor } from '../lib/actor.ts';
import { AppError, unauthorized } from '../lib/errors.ts';
import { authorize, canListUsers, canManageUsers } from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';
import { queueAccountMail } from './account-mail.ts';
import { audit } from './audit.ts';
import { readBranding } from './settings.ts';
import { loadUser } from './users.ts';

export const MFA_TOKEN_LIFETIME_MS = 5 * 60_000;
export const MFA_MAX_TRIES = 5;

/** A second factor as the client sends it: a TOTP code or a recovery code. */
export interface SecondFactor {
  code?: string | undefined;
  recovery_code?: string | undefined;
}

const invalid = (field: string, message: string) => new AppError('validation_error', message, { [field]: [message] });

async function checkPassword(db: Executor, userId: number, password: string) {
  const user = await loadUser(db, userId);
  if (!(await verifyPassword(user.passwordHash, password))) throw invalid('password', 'Wrong password');
  return user;
}

async function totpRow(db: Executor, userId: number) {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  return row;
}

/** Whether the user has 2FA turned on. */
export async function hasTwoFactor(db: Executor, userId: number): Promise<boolean> {
  return (await totpRow(db, userId))?.enabledAt != null;
}

/**
 * Accepts a TOTP code once: the matching step must be later than the last accepted one, and
 * the update that records it is conditional, so two racing requests with one code cannot both
 * pass.
 */
async function acceptCode(tx: Executor, key: Buffer, userId: number, code: string): Promise<boolean> {
  const row = await totpRow(tx, userId);
  if (!row) return false;
  const step = matchingStep(unseal(key, row.secretEncrypted), code);
  if (step === null) return false;
  const claimed = await tx
    .update(userTotp)
    .set({ lastStep: step })
    .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step))))
    .returning({ userId: userTotp.userId });
  return claimed.length === 1;
}

/** Spends one unused recovery code of the user's. */
async function acceptRecoveryCode(tx: Executor, userId: number, code: string): Promise<boolean> {
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashToken(normaliseRecoveryCode(code))),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

/** Checks (and spends) a second factor of an enrolled user. */
export async function acceptSecondFactor(tx: Executor, key: Buffer, userId: number, f: SecondFactor): Promise<boolean> {
  if (f.code) return acceptCode(tx, key, userId, f.code);
  if (f.recovery_code) return acceptRecoveryCode(tx, userId, f.recovery_code);
  return false;
}

async function replaceRecoveryCodes(tx: Executor, userId: number): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = newRecoveryCodes();
  await tx
    .insert(recoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: hashToken(normaliseRecoveryCode(code)) })));
  return codes;
}

/** Starts (or restarts) enrolment after the password: a new secret, not yet enabled. */
export async function setupTwoFactor(db: Db, actor: Actor, password: string, key: Buffer) {
  const user = await checkPassword(db, actor.id, password);
  if (await hasTwoFactor(db, actor.id)) throw new AppError('conflict', 'Two-factor authentication is already on');
  const secret = newTotpSecret();
  await db
    .insert(userTotp)
    .values({ userId: actor.id, secretEncrypted: seal(key, secret) })
    .onConflictDoUpdate({
      target: userTotp.userId,
      set: { secretEncrypted: seal(key, secret), enabledAt: null, lastStep: null },
    });
  const { site_name } = await readBranding(db);
  return enrolment(secret, site_name, user.email);
}

/** Confirms enrolment with a first code; answers the 10 recovery codes, shown this once. */
export async function enableTwoFactor(db: Db, actor: Actor, code: string, key: Buffer) {
  return db.transaction(async (tx) => {
    const row = await totpRow(tx, actor.id);
    if (!row) throw new AppError('conflict', 'Start with /auth/2fa/setup/');
    if (row.enabledAt) throw new AppError('conflict', 'Two-factor authentication is already on');
    if (!(await acceptCode(tx, key, actor.id, code))) throw invalid('code', 'Wrong or used code');
    await tx
      .update(userTotp)
      .set({ enabledAt: sql`now()` })
      .where(eq(userTotp.userId, actor.id));
    const recovery_codes = await replaceRecoveryCodes(tx, actor.id);
    await audit(tx, { actorId: actor.id, action: 'auth.2fa_enabled', targetType: 'user', targetId: actor.id });
    return { recovery_codes };
  });
}

/** Where the "2FA was turned off" notice links to, and the key its link is sealed under. */
export interface NoticeMail {
  key: Buffer;
  baseUrl: string;
}

/** Queues "two-factor authentication was turned off" to the user, in the change's transaction. */
async function mailTwoFactorOff(tx: Executor, mail: NoticeMail, userId: number): Promise<void> {
  const user = await loadUser(tx, userId);
  await queueAccountMail(tx, mail.key, {
    kind: 'two_factor_disabled',
    to: user.email,
    name: user.name || user.username,
    link: `${mail.baseUrl}/account`,
  });
}

/** Turns 2FA off with the password and a code or recovery code; the user is told by mail. */
export async function disableTwoFactor(
  db: Db,
  actor: Actor,
  password: string,
  factor: SecondFactor,
  key: Buffer,
  mail: NoticeMail,
) {
  await checkPassword(db, actor.id, password);
  await db.transaction(async (tx) => {
    if (!(await hasTwoFactor(tx, actor.id))) throw new AppError('conflict', 'Two-factor authentication is off');
    if (!(await acceptSecondFactor(tx, key, actor.id, factor))) throw invalid('code', 'Wrong or used code');
    await tx.delete(userTotp).where(eq(userTotp.userId, actor.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.id));
    await audit(tx, { actorId: actor.id, action: 'auth.2fa_disabled', targetType: 'user', targetId: actor.id });
    await mailTwoFactorOff(tx, mail, actor.id);
  });
}

/** A new set of recovery codes for a current TOTP code; the old set is void. */
export async function regenerateRecoveryCodes(db: Db, actor: Actor, code: string, key: Buffer) {
  return db.transaction(async (tx) => {
    if (!(await hasTwoFactor(tx, actor.id))) throw new AppError('conflict', 'Two-factor authentication is off');
    if (!(await acceptCode(tx, key, actor.id, code))) throw invalid('code', 'Wrong or used code');
    return { recovery_codes: await replaceRecoveryCodes(tx, actor.id) };
  });
}

/** The superuser turns a user's 2FA off (a lost phone and lost codes); the user is told by mail. */
export async function resetTwoFactor(db: Db, actor: Actor, userId: number, mail: NoticeMail): Promise<void> {
  // As for other user changes: 404 for whom the actor may not see, 403 for whom they may.
  authorize(userId === actor.id || canListUsers(await loadActorProfile(db, actor)), canManageUsers(actor));
  await db.transaction(async (tx) => {
    await loadUser(tx, userId);
    const had = await hasTwoFactor(tx, userId);
    await tx.delete(userTotp).where(eq(userTotp.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await audit(tx, { actorId: actor.id, action: 'auth.2fa_reset', targetType: 'user', targetId: userId });
    if (had) await mailTwoFactorOff(tx, mail, userId);
  });
}

/** Opens the second step for a user whose password was right: an `mfa_token`, no session. */
export async function openChallenge(db: Executor, userId: number): Promise<string> {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const token = encodeBase32LowerCaseNoPadding(bytes);
  await db.insert(mfaChallenges).values({
    userId,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + MFA_TOKEN_LIFETIME_MS),
  });
  return token;
}

/**
 * Spends one try of a challenge: the user's id when the factor is right (the challenge is
 * then gone), else a 401 (after the fifth wrong try the challenge is gone too).
 */
export async function passChallenge(db: Db, token: string, factor: SecondFactor, key: Buffer): Promise<number> {
  return db
    .transaction(async (tx) => {
      const [row] = await tx
        .update(mfaChallenges)
        .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
        .where(and(eq(mfaChallenges.tokenHash, hashToken(token)), sql`${mfaChallenges.expiresAt} > now()`))
        .returning();
      if (!row || row.attempts > MFA_MAX_TRIES) throw unauthorized('Sign in again');
      const ok = await acceptSecondFactor(tx, key, row.userId, factor);
      if (ok || row.attempts >= MFA_MAX_TRIES) await tx.delete(mfaChallenges).where(eq(mfaChallenges.id, row.id));
      if (!ok) return null;
      return row.userId;
    })
    .then((userId) => {
      if (userId === null) throw unauthorized('Wrong or used code');
      return userId;
    });
}

/**
 * Whether REQUIRE_2FA covers this user and they have not enrolled: they may then only call
 * /auth/me/, /auth/2fa/* and /auth/logout/ (SPEC §11). A session opened by single sign-on is
 * never covered: its provider owns the second factor (SPEC §12).
 */
export async function mustEnrol(db: Executor, config: Config, actor: Actor, sessionId: string): Promise<boolean> {
  const policy = config.REQUIRE_2FA;
  if (policy === 'off') return false;
  if (policy === 'superusers' && !actor.isSuperuser) return false;
  const [row] = await db
    .select({
      enrolled: sql<boolean>`exists (select 1 from ${userTotp} where ${userTotp.userId} = ${users.id} and ${userTotp.enabledAt} is not null)`,
      staff: sql<boolean>`${users.isSuperuser} or exists (select 1 from ${userRoles} where ${userRoles.userId} = ${users.id})`,
      sso: sql<boolean>`exists (select 1 from ${ssoSessions} where ${ssoSessions.sessionId} = ${sessionId})`,
    })
    .from(users)
    .where(eq(users.id, actor.id));
  if (!row || row.enrolled || row.sso) return false;
  return policy === 'staff' ? row.staff : true;
}
