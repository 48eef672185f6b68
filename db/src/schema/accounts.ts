import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { bytea, users } from './auth.ts';

/**
 * A personal API token (`lw_` + 256 random bits, SPEC §11). Only SHA-256 of the whole token is
 * stored; a request finds its row by that hash. `scope` read refuses unsafe methods.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    scope: text('scope', { enum: ['read', 'write'] }).notNull(),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at'),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** An invitation by email into projects (with a role) and/or a company (SPEC §11). */
export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    /** `[{project, role}]` as asked; applied on acceptance. */
    projects: jsonb('projects').$type<{ project: number; role: string }[]>().notNull().default([]),
    company: jsonb('company').$type<{ id: number; role: 'admin' | 'user' } | null>(),
    tokenHash: bytea('token_hash').notNull(),
    invitedBy: integer('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('invitations_hash_uq').on(t.tokenHash),
    index('invitations_email_idx').on(sql`lower(${t.email})`),
  ],
);

/** A password-reset token: single use, short-lived, voided by a newer one or a password change. */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('password_resets_hash_uq').on(t.tokenHash), index('password_resets_user_idx').on(t.userId)],
);

/**
 * A user's TOTP factor. The secret must be readable to check codes, so it is stored encrypted
 * (AES-256-GCM, key from SECRET_KEY); `enabled_at` null while enrolment is unconfirmed.
 * `last_step` is the last accepted 30-second step: a code of that step or earlier is a replay.
 */
export const userTotp = pgTable('user_totp', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretEncrypted: bytea('secret_encrypted').notNull(),
  enabledAt: ts('enabled_at'),
  lastStep: integer('last_step'),
  createdAt: createdAt(),
});

/** Single-use recovery codes, stored as SHA-256 hashes; a new set deletes the old one. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: bytea('code_hash').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** The instance-wide audit log (SPEC §11), written in the transaction of the change it records. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    at: ts('at').notNull().defaultNow(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
  ],
);

/**
 * The sign-in's second step (SPEC §11): after the password, a 2FA user gets an `mfa_token`
 * (256 bits, stored hashed) good for 5 minutes and 5 tries, and no session until the code.
 */
export const mfaChallenges = pgTable('mfa_challenges', {
  id: id(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: bytea('token_hash').notNull().unique(),
  expiresAt: ts('expires_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: createdAt(),
});
