import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { bytea, sessions, users } from './auth.ts';

/**
 * An account at an OpenID provider linked to a Laneway user (SPEC §12). The provider's
 * `iss` + `sub` name the account for good; the address is only what it said last time.
 */
export const userIdentities = pgTable(
  'user_identities',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    email: text('email').notNull().default(''),
    createdAt: createdAt(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [
    // Every sign-in finds its account by issuer and subject; one provider account, one user.
    uniqueIndex('user_identities_issuer_subject_uq').on(t.issuer, t.subject),
    // The account page lists a user's links.
    index('user_identities_user_idx').on(t.userId),
  ],
);

/**
 * A sign-in started at the provider and not yet back: the PKCE verifier and the nonce, kept
 * here rather than in the browser. Found by SHA-256 of `state` and deleted when used, so each
 * works once; `link_user_id` is set when a signed-in user links an account from /account.
 */
export const oidcLogins = pgTable('oidc_logins', {
  stateHash: bytea('state_hash').primaryKey(),
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  next: text('next').notNull().default('/'),
  linkUserId: integer('link_user_id').references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  createdAt: createdAt(),
});

/**
 * A session opened by single sign-on: the provider owns its second factor (REQUIRE_2FA does not
 * apply), and its ID token is the hint for RP-initiated logout. Goes with its session.
 */
export const ssoSessions = pgTable('sso_sessions', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  identityId: integer('identity_id')
    .notNull()
    .references(() => userIdentities.id, { onDelete: 'cascade' }),
  idToken: text('id_token').notNull(),
});
