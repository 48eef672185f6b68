import { accessChanged, emitControl, transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { companyAdmins, companyUsers, passwordResets, userRoles, users } from '@laneway/db/schema';
import { and, asc, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { hashPassword } from '../auth/passwords.ts';
import { revokeUserSessions } from '../auth/sessions.ts';
import type { Actor } from '../lib/actor.ts';
import { conflict, notFound } from '../lib/errors.ts';
import { containsPattern, pageWindow, parseOrdering, type PageParams } from '../lib/pagination.ts';
import { authorize, canListUsers, canManageUsers } from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';
import { audit } from './audit.ts';

export type UserRow = typeof users.$inferSelect;

/** A user as the API shows it. Never the password hash. */
export function serializeUser(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    name: u.name,
    is_superuser: u.isSuperuser,
    is_active: u.isActive,
    avatar_color: u.avatarColor,
    created_at: u.createdAt.toISOString(),
    last_login_at: u.lastLoginAt?.toISOString() ?? null,
  };
}
export type UserJson = ReturnType<typeof serializeUser>;

const AVATAR_COLOURS = ['#ef4444', '#f97316', '#eab308', '#22c55e', '#14b8a6', '#3b82f6', '#8b5cf6', '#ec4899'];

export interface NewUser {
  username: string;
  email: string;
  password: string;
  name?: string | undefined;
  isSuperuser?: boolean;
}

/** Inserts a user, with no permission check (registration); a taken username or email (any case) is a 409. */
export async function insertUser(db: Executor, input: NewUser): Promise<UserRow> {
  const taken = await db
    .select({ username: users.username })
    .from(users)
    .where(
      or(sql`lower(${users.username}) = lower(${input.username})`, sql`lower(${users.email}) = lower(${input.email})`),
    );
  if (taken.length) throw conflict('A user with this username or email already exists');
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({
      username: input.username,
      email: input.email,
      name: input.name ?? '',
      passwordHash,
      isSuperuser: input.isSuperuser ?? false,
      avatarColor: AVATAR_COLOURS[Math.floor(Math.random() * AVATAR_COLOURS.length)],
    })
    .returning();
  return row!;
}

/** Finds an active or inactive user by username or email, case-insensitively. */
export async function findUserByLogin(db: Executor, login: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(or(sql`lower(${users.username}) = lower(${login})`, sql`lower(${users.email}) = lower(${login})`))
    .limit(1);
  return row;
}

/** A user by id, with no permission check (the caller's own account), or a 404. */
export async function loadUser(db: Executor, id: number): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound();
  return row;
}

/** Creates a user as the instance superuser (else 403); they never become a superuser here. */
export async function createUser(db: Executor, actor: Actor, input: Omit<NewUser, 'isSuperuser'>): Promise<UserJson> {
  authorize(true, canManageUsers(actor));
  const { username, email, password, name } = input;
  return db.transaction(async (tx) => {
    const row = await insertUser(tx, { username, email, password, name });
    await audit(tx, { actorId: actor.id, action: 'user.created', targetType: 'user', targetId: row.id });
    return serializeUser(row);
  });
}

/** A user: anyone sees themself, staff see everyone; company people see no one else (404). */
export async function getUser(db: Executor, actor: Actor, id: number): Promise<UserJson> {
  authorize(id === actor.id || canListUsers(await loadActorProfile(db, actor)), true);
  return serializeUser(await loadUser(db, id));
}

export const USER_ORDERING = ['username', 'created_at', 'name'] as const;
const userOrderColumns = { username: users.username, created_at: users.createdAt, name: users.name };

export interface UserQuery extends PageParams {
  search?: string | undefined;
  is_active?: boolean | undefined;
  /** The raw `ordering` parameter (see `parseOrdering`). */
  ordering?: string | undefined;
}

/**
 * A page of users, for staff (company people: 403). The ordering is parsed after the permission
 * check, so a company person gets the 403 whatever they asked for.
 */
export async function listUsers(db: Executor, actor: Actor, query: UserQuery) {
  authorize(true, canListUsers(await loadActorProfile(db, actor)));
  const ordering = parseOrdering(query.ordering, USER_ORDERING);
  const where: SQL[] = [];
  if (query.search) {
    const q = containsPattern(query.search);
    where.push(or(ilike(users.username, q), ilike(users.name, q), ilike(users.email, q))!);
  }
  if (query.is_active !== undefined) where.push(eq(users.isActive, query.is_active));
  const order = ordering.length
    ? ordering.map((o) => (o.desc ? desc(userOrderColumns[o.field]) : asc(userOrderColumns[o.field])))
    : [asc(users.id)];
  const { limit, offset } = pageWindow(query);
  const rows = await db
    .select({ user: users, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(users)
    .where(and(...where))
    .orderBy(...order, asc(users.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeUser(r.user)) };
}

export interface UserPatch {
  name?: string | undefined;
  email?: string | undefined;
  is_active?: boolean | undefined;
  is_superuser?: boolean | undefined;
  password?: string | undefined;
}

/**
 * Updates a user, as the instance superuser: 404 for a user the actor may not see, 403 for one
 * they may (themself included: the fields they may change are in `updateProfile`).
 */
export async function updateUser(db: Db, actor: Actor, id: number, patch: UserPatch): Promise<UserJson> {
  const profile = await loadActorProfile(db, actor);
  authorize(id === actor.id || canListUsers(profile), canManageUsers(actor));
  return serializeUser(await applyUserPatch(db, actor, id, patch));
}

/** The actor's own name and email (PATCH /auth/me/): theirs to change. */
export async function updateProfile(
  db: Db,
  actor: Actor,
  patch: { name?: string | undefined; email?: string | undefined },
): Promise<UserRow> {
  return applyUserPatch(db, actor, actor.id, patch);
}

/**
 * Writes a user patch. Deactivating them or setting a new password ends every session they
 * have, in the same transaction.
 */
async function applyUserPatch(db: Db, actor: Actor, id: number, patch: UserPatch): Promise<UserRow> {
  return transact(db, async (tx) => {
    const current = await loadUser(tx, id);
    if (patch.email && patch.email.toLowerCase() !== current.email.toLowerCase()) {
      const [taken] = await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = lower(${patch.email})`);
      if (taken) throw conflict('A user with this email already exists');
    }
    const values: Partial<typeof users.$inferInsert> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.email !== undefined) values.email = patch.email;
    if (patch.is_active !== undefined) values.isActive = patch.is_active;
    if (patch.is_superuser !== undefined) values.isSuperuser = patch.is_superuser;
    if (patch.password !== undefined) values.passwordHash = await hashPassword(patch.password);
    const [row] = Object.keys(values).length
      ? await tx.update(users).set(values).where(eq(users.id, id)).returning()
      : [current];
    if (Object.keys(values).length) {
      // Which fields changed, never their values: a password (hash) has no place in the log.
      const fields = Object.keys(patch).filter((k) => patch[k as keyof UserPatch] !== undefined);
      const action = patch.is_active === false && current.isActive ? 'user.deactivated' : 'user.changed';
      await audit(tx, { actorId: actor.id, action, targetType: 'user', targetId: id, data: { fields } });
    }
    if (patch.password !== undefined) await tx.delete(passwordResets).where(eq(passwordResets.userId, id));
    if (patch.is_active === false || patch.password !== undefined) {
      await revokeUserSessions(tx, id);
      emitControl({ kind: 'user-revoked', userId: id }, false);
    } else if (patch.is_superuser !== undefined || patch.is_active !== undefined) {
      // Credential caches hold the superuser flag, and sockets what it lets them see (0047).
      accessChanged([id]);
    }
    return row!;
  });
}

/** The caller's memberships and company ties, for /auth/me/. */
export async function userTies(db: Executor, userId: number) {
  const [memberships, adminOf, memberOf] = await Promise.all([
    db
      .select({ project: userRoles.projectId, role: userRoles.role })
      .from(userRoles)
      .where(eq(userRoles.userId, userId))
      .orderBy(asc(userRoles.projectId)),
    db.select({ company: companyAdmins.companyId }).from(companyAdmins).where(eq(companyAdmins.userId, userId)),
    db.select({ company: companyUsers.companyId }).from(companyUsers).where(eq(companyUsers.userId, userId)),
  ]);
  return {
    memberships,
    companies: [
      ...adminOf.map((r) => ({ company: r.company, role: 'admin' as const })),
      ...memberOf.map((r) => ({ company: r.company, role: 'user' as const })),
    ].sort((a, b) => a.company - b.company),
  };
}
