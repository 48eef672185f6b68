import { audit } from './audit.ts';
import { emitControl, transact } from './publish.ts';
import { queueAccountMail } from './account-mail.ts';
import { describeUserAgent } from './sessions.ts';
import { hasTwoFactor, openChallenge, passChallenge, type NoticeMail, type SecondFactor } from './two-factor.ts';
import type { Db } from '@laneway/db/client';
import { passwordResets, users } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { LoginLimiter } from '../auth/rate-limit.ts';
import {
  createSession,
  revokeSession,
  revokeUserSessions,
  rotateRefreshToken,
  type IssuedTokens,
  type SessionLifetimes,
} from '../auth/sessions.ts';
import type { Actor } from '../lib/actor.ts';
import { assertPasswordSignIn } from './sso.ts';
import { AppError, forbidden, unauthorized } from '../lib/errors.ts';
import { findUserByLogin, insertUser, loadUser, type NewUser, type UserRow } from './users.ts';

/** Serialises first-user creation so two concurrent first registrations make one superuser. */
const REGISTRATION_LOCK = 7_245_031_119;

export async function needsSetup(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return (row?.n ?? 0) === 0;
}

/**
 * Registers a user: open while no user exists (that first user becomes the instance
 * superuser), afterwards only with ALLOW_REGISTRATION=true.
 */
export async function register(db: Db, input: NewUser, allowRegistration: boolean): Promise<UserRow> {
  return transact(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`);
    const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    const first = (row?.n ?? 0) === 0;
    if (!first && !allowRegistration) throw forbidden('Registration is closed; ask an administrator for an account');
    return insertUser(tx, { ...input, isSuperuser: first });
  });
}

export interface LoginInput {
  login: string;
  password: string;
  ip: string;
  userAgent: string | null;
  /** The client's known-device token (its device cookie), if it sent one. */
  device: string | null;
  /** OIDC_ONLY: a right password signs in superusers only (SPEC §12). */
  oidcOnly?: boolean;
  /** When given, the right password from a device the account has not seen is mailed to its owner. */
  newDeviceMail?: NoticeMail;
}

const INVALID = 'Invalid credentials';

/**
 * Checks credentials and opens a session. Unknown user, wrong password and inactive user all
 * answer the same 401 after the same argon2 work. The attempt is charged to the login limiter
 * before the password is checked (so parallel guesses cannot all pass), and given back on a
 * success, which also hands the client a new known-device token (`device`).
 */
export async function login(
  db: Db,
  limiter: LoginLimiter,
  lifetimes: SessionLifetimes,
  input: LoginInput,
): Promise<{ tokens: IssuedTokens; user: UserRow; device: string } | { mfaToken: string; device: string }> {
  const user = await findUserByLogin(db, input.login);
  const account = user ? `user:${user.id}` : `login:${input.login}`;
  const attempt = await limiter.begin(account, input.ip, input.device);
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!ok || !user || !user.isActive) {
    await audit(db, {
      actorId: null,
      action: 'auth.login_failed',
      ...(user ? { targetType: 'user', targetId: user.id } : {}),
      data: { login: input.login.slice(0, 254) },
    });
    throw unauthorized(INVALID);
  }
  const device = await attempt.succeeded();
  if (input.oidcOnly) assertPasswordSignIn(user);
  // Not on the very first sign-in (a new account has no known device yet).
  if (!attempt.knownDevice && user.lastLoginAt && input.newDeviceMail) {
    await queueAccountMail(db, input.newDeviceMail.key, {
      kind: 'new_device',
      to: user.email,
      name: user.name || user.username,
      link: `${input.newDeviceMail.baseUrl}/account`,
      data: { device: describeUserAgent(input.userAgent), ip: input.ip },
    });
  }
  // With 2FA on, the password only buys the second step: no session, no cookie (SPEC §11).
  if (await hasTwoFactor(db, user.id)) return { mfaToken: await openChallenge(db, user.id), device };
  const tokens = await openSession(db, user, lifetimes, input);
  return { tokens, user, device };
}

/** The sign-in's second step: an `mfa_token` and a TOTP or recovery code buy the session. */
export async function loginSecondStep(
  db: Db,
  lifetimes: SessionLifetimes,
  key: Buffer,
  input: { mfaToken: string; factor: SecondFactor; ip: string; userAgent: string | null },
): Promise<{ tokens: IssuedTokens; user: UserRow }> {
  const userId = await passChallenge(db, input.mfaToken, input.factor, key);
  const user = await loadUser(db, userId);
  if (!user.isActive) throw unauthorized(INVALID);
  return { tokens: await openSession(db, user, lifetimes, input), user };
}

async function openSession(
  db: Db,
  user: UserRow,
  lifetimes: SessionLifetimes,
  input: { ip: string; userAgent: string | null },
): Promise<IssuedTokens> {
  return transact(db, async (tx) => {
    await tx
      .update(users)
      .set({ lastLoginAt: sql`now()` })
      .where(eq(users.id, user.id));
    const issued = await createSession(tx, user.id, lifetimes, { ip: input.ip, userAgent: input.userAgent });
    await audit(tx, { actorId: user.id, action: 'auth.login', targetType: 'session', targetId: issued.sessionId });
    return issued;
  });
}

export async function refresh(db: Db, token: string, lifetimes: SessionLifetimes): Promise<IssuedTokens> {
  const tokens = await transact(db, async (tx) => {
    const rotated = await rotateRefreshToken(tx, token, lifetimes);
    // A rotated token presented again: its session is gone, and so are that session's sockets.
    if (rotated && 'reused' in rotated) emitControl({ kind: 'session-revoked', sessionId: rotated.reused }, false);
    // The old access secret is dead: no instance may keep serving it from its cache (0047).
    else if (rotated) emitControl({ kind: 'session-renewed', sessionId: rotated.sessionId }, false);
    return rotated;
  });
  if (!tokens || 'reused' in tokens) throw unauthorized('Invalid or expired refresh token');
  return tokens;
}

export async function logout(db: Db, actor: Actor, sessionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await revokeSession(tx, sessionId);
    await audit(tx, { actorId: actor.id, action: 'auth.logout', targetType: 'session', targetId: sessionId });
  });
  emitControl({ kind: 'session-revoked', sessionId }, true);
}

export async function logoutAll(db: Db, actor: Actor): Promise<void> {
  const userId = actor.id;
  await db.transaction(async (tx) => {
    await revokeUserSessions(tx, userId);
    await audit(tx, { actorId: userId, action: 'auth.logout_all', targetType: 'user', targetId: userId });
  });
  emitControl({ kind: 'user-revoked', userId }, true);
}

/**
 * Changes the caller's password after checking the current one; every session of theirs
 * ends, and a fresh one is opened for the caller.
 */
export async function changePassword(
  db: Db,
  userId: number,
  current: string,
  next: string,
  lifetimes: SessionLifetimes,
  meta: { ip: string; userAgent: string | null },
): Promise<IssuedTokens> {
  const user = await loadUser(db, userId);
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw new AppError('validation_error', 'Current password is wrong', { current_password: ['Wrong password'] });
  }
  const passwordHash = await hashPassword(next);
  return transact(db, async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await revokeUserSessions(tx, userId);
    await tx.delete(passwordResets).where(eq(passwordResets.userId, userId));
    await audit(tx, { actorId: userId, action: 'auth.password_changed', targetType: 'user', targetId: userId });
    const tokens = await createSession(tx, userId, lifetimes, meta);
    emitControl({ kind: 'user-revoked', userId, keepSession: tokens.sessionId }, false);
    return tokens;
  });
}
