/**
 * Single sign-on accounts (SPEC §12): which Laneway user a provider's account is, linking,
 * provisioning, the superuser groups, and the sessions it opens. The protocol itself (PKCE,
 * state, nonce, token checks) is auth/oidc.ts's; everything here gets a checked identity.
 *
 * Refusals are `AppError`s whose message is written for the person at the browser: the
 * callback shows it on its page.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Executor } from '@laneway/db/client';
import { companyUsers, oidcLogins, ssoSessions, userIdentities, users } from '@laneway/db/schema';
import { sha256 } from '@oslojs/crypto/sha2';
import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import type { OidcIdentity, OidcStart } from '../auth/oidc.ts';
import { createSession, type IssuedTokens, type SessionLifetimes } from '../auth/sessions.ts';
import type { Config } from '../env.ts';
import type { Actor } from '../lib/actor.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { audit } from './audit.ts';
import { companyForEmail } from './companies.ts';
import { accessChanged, transact } from './publish.ts';
import { insertUser, loadUser, type UserRow } from './users.ts';

/** How long a started sign-in may take at the provider. */
export const LOGIN_TTL_S = 600;

const hashState = (state: string) => Buffer.from(sha256(new TextEncoder().encode(state)));

/** Keeps a started sign-in (its verifier, nonce and where to go next) until the provider sends the browser back. */
export async function rememberLogin(db: Db, start: OidcStart, next: string, linkUserId: number | null): Promise<void> {
  // Abandoned sign-ins go as new ones come: the table stays as small as the traffic of ten minutes.
  await db.delete(oidcLogins).where(lt(oidcLogins.expiresAt, sql`now()`));
  await db.insert(oidcLogins).values({
    stateHash: hashState(start.state),
    codeVerifier: start.codeVerifier,
    nonce: start.nonce,
    next,
    linkUserId,
    expiresAt: new Date(Date.now() + LOGIN_TTL_S * 1000),
  });
}

/** Takes a started sign-in by its `state`, once: a second use, an unknown or an expired one is null. */
export async function takeLogin(db: Db, state: string) {
  const [row] = await db
    .delete(oidcLogins)
    .where(and(eq(oidcLogins.stateHash, hashState(state)), gt(oidcLogins.expiresAt, sql`now()`)))
    .returning();
  return row ?? null;
}

const refused = (message: string) => new AppError('forbidden', message);

/** Whether an address's domain may get a new account (OIDC_ALLOWED_DOMAINS; `*` is any). */
export function domainAllowed(config: Config, email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return config.OIDC_ALLOWED_DOMAINS.includes('*') || config.OIDC_ALLOWED_DOMAINS.includes(domain);
}

/** A free username from the provider's preferred one or the address, made unique with a number. */
async function freeUsername(db: Executor, identity: OidcIdentity): Promise<string> {
  const wanted = identity.preferredUsername ?? identity.email!.slice(0, identity.email!.indexOf('@'));
  const base = wanted.replace(/[^\w.@+-]/g, '').slice(0, 140) || 'user';
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}${n}`;
    const [taken] = await db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.username}) = lower(${candidate})`);
    if (!taken) return candidate;
  }
}

/** Creates the account of a first sign-in: OIDC_AUTO_PROVISION, an allowed domain, a verified address. */
async function provision(tx: Executor, config: Config, identity: OidcIdentity): Promise<UserRow> {
  const email = identity.email!;
  if (!config.OIDC_AUTO_PROVISION) {
    throw refused(`There is no Laneway account for ${email}. Ask an administrator to invite you.`);
  }
  if (!domainAllowed(config, email)) {
    throw refused(
      `Accounts for ${email.slice(email.indexOf('@'))} addresses are not created here. Ask an administrator.`,
    );
  }
  if (!identity.emailVerified) {
    throw refused(`Your identity provider has not verified ${email}, so no account can be made for it.`);
  }
  const user = await insertUser(tx, {
    username: await freeUsername(tx, identity),
    email,
    name: identity.name ?? undefined,
    // Never typed by anyone: the account signs in through its provider (or a password reset).
    password: randomBytes(32).toString('base64url'),
  });
  // A client's staff sign in with their own company login and land in the portal.
  const company = await companyForEmail(tx, email);
  if (company !== null) await tx.insert(companyUsers).values({ companyId: company, userId: user.id });
  await audit(tx, {
    actorId: user.id,
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    data: { via: 'oidc', issuer: identity.issuer, subject: identity.subject, company },
  });
  return user;
}

async function link(tx: Executor, userId: number, identity: OidcIdentity) {
  const [row] = await tx
    .insert(userIdentities)
    .values({ userId, issuer: identity.issuer, subject: identity.subject, email: identity.email ?? '' })
    .returning({ id: userIdentities.id });
  await audit(tx, {
    actorId: userId,
    action: 'auth.sso_linked',
    targetType: 'user',
    targetId: userId,
    data: { issuer: identity.issuer, subject: identity.subject, email: identity.email },
  });
  return row!.id;
}

/**
 * OIDC_SUPERUSER_GROUPS against the `groups` claim, at every sign-in: membership grants instance
 * superuser, its absence takes it away. Without the variable, superuser is managed in Laneway.
 */
async function applyGroups(tx: Executor, config: Config, user: UserRow, identity: OidcIdentity): Promise<UserRow> {
  if (!config.OIDC_SUPERUSER_GROUPS.length) return user;
  const superuser = identity.groups.some((g) => config.OIDC_SUPERUSER_GROUPS.includes(g));
  if (superuser === user.isSuperuser) return user;
  const [row] = await tx.update(users).set({ isSuperuser: superuser }).where(eq(users.id, user.id)).returning();
  await audit(tx, {
    actorId: user.id,
    action: 'user.changed',
    targetType: 'user',
    targetId: user.id,
    data: { is_superuser: superuser, via: 'oidc groups', groups: identity.groups },
  });
  // Credential caches hold the superuser flag: every instance drops this user's (0047).
  accessChanged([user.id]);
  return row!;
}

export interface SsoSignIn {
  tokens: IssuedTokens;
  user: UserRow;
}

/**
 * Signs in the provider's account: the linked user; else the user with the same address if the
 * provider verified it (and the link is made); else a new account if provisioning allows it.
 * Local TOTP is not asked: the provider owns the second factor.
 */
export async function signIn(
  db: Db,
  config: Config,
  lifetimes: SessionLifetimes,
  identity: OidcIdentity,
  meta: { ip: string; userAgent: string | null },
): Promise<SsoSignIn> {
  return transact(db, async (tx) => {
    // Two first sign-ins of one account at once must not both link or provision.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`laneway:sso:${identity.issuer}:${identity.subject}`}))`,
    );
    const [known] = await tx
      .select({ id: userIdentities.id, userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.issuer, identity.issuer), eq(userIdentities.subject, identity.subject)));
    let user: UserRow;
    let identityId: number;
    if (known) {
      user = await loadUser(tx, known.userId);
      identityId = known.id;
    } else {
      if (!identity.email)
        throw refused('Your identity provider did not send an email address (ask for the email scope).');
      const [existing] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${identity.email}`);
      if (existing && !identity.emailVerified) {
        throw refused(
          `Your identity provider has not verified ${identity.email}. Sign in with your password and link the provider from your account page.`,
        );
      }
      user = existing ?? (await provision(tx, config, identity));
      identityId = await link(tx, user.id, identity);
    }
    if (!user.isActive) throw refused('This account is deactivated.');
    user = await applyGroups(tx, config, user, identity);
    await tx
      .update(userIdentities)
      .set({ lastLoginAt: sql`now()`, email: identity.email ?? '' })
      .where(eq(userIdentities.id, identityId));
    await tx
      .update(users)
      .set({ lastLoginAt: sql`now()` })
      .where(eq(users.id, user.id));
    const tokens = await createSession(tx, user.id, lifetimes, meta);
    await tx.insert(ssoSessions).values({ sessionId: tokens.sessionId, identityId, idToken: identity.idToken });
    await audit(tx, {
      actorId: user.id,
      action: 'auth.login',
      targetType: 'session',
      targetId: tokens.sessionId,
      data: { method: 'oidc', issuer: identity.issuer, subject: identity.subject },
    });
    return { tokens, user };
  });
}

/** Links the provider's account to the signed-in user who started the link from /account. */
export async function linkToUser(db: Db, userId: number, identity: OidcIdentity): Promise<void> {
  await transact(db, async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`laneway:sso:${identity.issuer}:${identity.subject}`}))`,
    );
    const [known] = await tx
      .select({ userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.issuer, identity.issuer), eq(userIdentities.subject, identity.subject)));
    if (known?.userId === userId) return;
    if (known) throw refused('This provider account is already linked to another Laneway account.');
    const user = await loadUser(tx, userId);
    if (!user.isActive) throw refused('This account is deactivated.');
    await link(tx, userId, identity);
  });
}

/** A linked provider account as the account page shows it. */
export function serializeIdentity(row: typeof userIdentities.$inferSelect) {
  return {
    id: row.id,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    created_at: row.createdAt.toISOString(),
    last_login_at: row.lastLoginAt?.toISOString() ?? null,
  };
}

/** The caller's linked provider accounts. */
export async function listIdentities(db: Db, actor: Actor) {
  const rows = await db
    .select()
    .from(userIdentities)
    .where(eq(userIdentities.userId, actor.id))
    .orderBy(asc(userIdentities.id));
  return rows.map(serializeIdentity);
}

/**
 * Unlinks one of the caller's provider accounts (another's is a 404). Sessions it opened stay,
 * but are no longer single sign-on ones (REQUIRE_2FA applies to them again).
 */
export async function unlinkIdentity(db: Db, actor: Actor, id: number): Promise<void> {
  await transact(db, async (tx) => {
    const [row] = await tx
      .delete(userIdentities)
      .where(and(eq(userIdentities.id, id), eq(userIdentities.userId, actor.id)))
      .returning();
    if (!row) throw notFound();
    await audit(tx, {
      actorId: actor.id,
      action: 'auth.sso_unlinked',
      targetType: 'user',
      targetId: actor.id,
      data: { issuer: row.issuer, subject: row.subject },
    });
  });
}

/** A refused single sign-on in the audit log, with what is known of the provider's account. */
export async function recordFailure(
  db: Db,
  data: { reason: string; issuer?: string; subject?: string; email?: string | null },
): Promise<void> {
  await audit(db, { actorId: null, action: 'auth.sso_failed', data: { ...data, reason: data.reason.slice(0, 500) } });
}

/** The ID token of a single sign-on session (the logout hint), or null for a password session. */
export async function ssoIdToken(db: Executor, sessionId: string): Promise<string | null> {
  const [row] = await db
    .select({ idToken: ssoSessions.idToken })
    .from(ssoSessions)
    .where(eq(ssoSessions.sessionId, sessionId));
  return row?.idToken ?? null;
}

/** Under OIDC_ONLY, password sign-in is for superusers only (their way in when the provider is down). */
export function assertPasswordSignIn(user: { isSuperuser: boolean }): void {
  if (!user.isSuperuser) throw forbidden('Password sign-in is off here: use single sign-on.');
}
