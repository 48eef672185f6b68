import { sql } from 'drizzle-orm';
import { boolean, customType, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';

export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    avatarColor: text('avatar_color').notNull().default('#64748b'),
    createdAt: createdAt(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [
    // Usernames and emails are unique regardless of case; login looks them up by lower().
    uniqueIndex('users_username_lower_uq').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
  ],
);

/**
 * A signed-in device. The token handed out is `id.secret`; only SHA-256(secret) is stored,
 * so a leaked table cannot be replayed. `expires_at` slides forward while the session is used.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    secretHash: bytea('secret_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    /** Last request on this session, at most once a minute (the sessions list shows it). */
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [
    // Logout-all and deactivation delete every session of one user.
    index('sessions_user_idx').on(t.userId),
    // The clean-up job deletes expired sessions.
    index('sessions_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Refresh tokens rotate on every use. All tokens of one session form a family: presenting a
 * token that was already rotated (`used_at` set) revokes the session and so the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    secretHash: bytea('secret_hash').notNull(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
    usedAt: ts('used_at'),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);
