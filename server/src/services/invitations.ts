/**
 * Invitations by email (SPEC §11): into projects with a role and/or into a company. The token
 * (256 bits) is stored only as SHA-256, works once, lives INVITATION_TTL_HOURS and only creates
 * an account for the invited address. An address that already has an account gets the
 * memberships at once. Who may invite: the superuser anything, a project's superadmin into
 * that project, a company admin into their company (as a user).
 */
import type { Db, Executor } from '@laneway/db/client';
import { companies, companyAdmins, companyUsers, invitations, projects, userRoles, users } from '@laneway/db/schema';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { hashToken } from '../auth/api-tokens.ts';
import { createSession, type IssuedTokens, type SessionLifetimes } from '../auth/sessions.ts';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict, forbidden, notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { pgArray } from '../lib/sql-array.ts';
import { authorize, canInviteToCompany, canSeeCompany, type ProjectRole } from '../policy/index.ts';
import { loadActorProfile } from '../policy/load.ts';
import type { InvitationJson, InvitationPreviewJson } from '../schemas/invitations.ts';
import { queueAccountMail } from './account-mail.ts';
import { audit } from './audit.ts';
import { recordChange } from './changes.ts';
import { memberJson, requireProjectManager } from './projects.ts';
import { accessChanged, transact } from './publish.ts';
import { insertUser, type UserRow } from './users.ts';

type Row = typeof invitations.$inferSelect;

export interface NewInvitation {
  email: string;
  name?: string | undefined;
  projects?: { project: number; role: ProjectRole }[] | undefined;
  company?: { id: number; role: 'admin' | 'user' } | undefined;
}

/** What sending an invitation needs from the request and the configuration. */
export interface InvitationMailer {
  ttlHours: number;
  /** The instance's own origin: links are `${baseUrl}/invite/{token}`. */
  baseUrl: string;
  /** The mail key (`instanceKey(config, 'mail')`) the link is sealed under. */
  key: Buffer;
  /** Without SMTP the answer carries the link, so the inviter can pass it on. */
  smtp: boolean;
}

const INVALID = 'This invitation is invalid, used, revoked or expired';

/** A pending invitation: not accepted, not revoked, not expired. */
const pending = () =>
  and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`));

/** Invitations as the API shows them, with project, company and inviter names, in one go. */
async function serialize(db: Executor, rows: Row[]): Promise<InvitationJson[]> {
  const projectIds = [...new Set(rows.flatMap((r) => r.projects.map((p) => p.project)))];
  const companyIds = [...new Set(rows.flatMap((r) => (r.company ? [r.company.id] : [])))];
  const inviterIds = [...new Set(rows.flatMap((r) => (r.invitedBy === null ? [] : [r.invitedBy])))];
  const [projectNames, companyNames, inviters] = await Promise.all([
    projectIds.length
      ? db.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, projectIds))
      : [],
    companyIds.length
      ? db.select({ id: companies.id, name: companies.name }).from(companies).where(inArray(companies.id, companyIds))
      : [],
    inviterIds.length
      ? db
          .select({ id: users.id, username: users.username, name: users.name })
          .from(users)
          .where(inArray(users.id, inviterIds))
      : [],
  ]);
  const projectName = new Map(projectNames.map((p) => [p.id, p.name]));
  const companyName = new Map(companyNames.map((c) => [c.id, c.name]));
  const inviter = new Map(inviters.map((u) => [u.id, u]));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    projects: r.projects.map((p) => ({
      project: p.project,
      name: projectName.get(p.project) ?? '',
      role: p.role as ProjectRole,
    })),
    company: r.company ? { ...r.company, name: companyName.get(r.company.id) ?? '' } : null,
    invited_by: (r.invitedBy !== null && inviter.get(r.invitedBy)) || null,
    created_at: r.createdAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
    accepted_at: r.acceptedAt?.toISOString() ?? null,
    revoked_at: r.revokedAt?.toISOString() ?? null,
  }));
}

/**
 * Checks that the actor may invite into everything `input` names: each project as its
 * superadmin (404 when they cannot see it, else 403), the company as its admin inviting a
 * user (404 / 403). Only the superuser may invite into nothing (a bare account).
 */
async function authorizeInvitation(db: Executor, actor: Actor, input: NewInvitation): Promise<void> {
  const projectIds = (input.projects ?? []).map((p) => p.project);
  if (new Set(projectIds).size !== projectIds.length) {
    throw badRequest('A project is named twice', { projects: ['Each project once'] });
  }
  if (!actor.isSuperuser && !projectIds.length && !input.company) {
    throw forbidden('Only an instance superuser may invite someone into no project and no company');
  }
  for (const project of projectIds) {
    await requireProjectManager(db, actor, project, "Only the project's superadmins may invite into it");
  }
  if (input.company) {
    const profile = await loadActorProfile(db, actor);
    authorize(
      canSeeCompany(profile, input.company.id),
      canInviteToCompany(profile, input.company.id, input.company.role),
      'Company admins invite people as company users; only an instance superuser invites company admins',
    );
    const [company] = await db.select({ id: companies.id }).from(companies).where(eq(companies.id, input.company.id));
    if (!company) throw notFound();
  }
}

/**
 * Gives `userId` what the invitation names: project roles (an existing membership keeps its
 * role) and the company tie. Projects deleted since the invitation are skipped.
 */
async function applyMemberships(db: Executor, actorId: number, userId: number, invitation: Row): Promise<void> {
  const wanted = invitation.projects;
  const live = wanted.length
    ? new Set(
        (
          await db
            .select({ id: projects.id })
            .from(projects)
            .where(
              inArray(
                projects.id,
                wanted.map((p) => p.project),
              ),
            )
        ).map((p) => p.id),
      )
    : new Set<number>();
  for (const { project, role } of wanted) {
    if (!live.has(project)) continue;
    const inserted = await db
      .insert(userRoles)
      .values({ projectId: project, userId, role: role as ProjectRole })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) continue;
    await recordChange(db, {
      projectId: project,
      ticketId: null,
      actorId,
      verb: 'member.added',
      data: { user: userId, role: role as ProjectRole },
      payload: await memberJson(db, project, userId),
    });
    accessChanged([userId], project);
  }
  if (invitation.company) {
    const [company] = await db
      .select({ id: companies.id })
      .from(companies)
      .where(eq(companies.id, invitation.company.id));
    if (company) {
      const table = invitation.company.role === 'admin' ? companyAdmins : companyUsers;
      await db.insert(table).values({ companyId: company.id, userId }).onConflictDoNothing();
      accessChanged([userId]);
    }
  }
}

function newInvitationToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/**
 * Invites `input.email`. A new address gets a single-use link by mail (and in the answer when
 * there is no SMTP); an address with an account gets the memberships now (`accepted_at` set)
 * and a notice by mail.
 */
export async function createInvitation(
  db: Db,
  actor: Actor,
  input: NewInvitation,
  mailer: InvitationMailer,
): Promise<InvitationJson> {
  await authorizeInvitation(db, actor, input);
  const [inviter] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
  const inviterName = inviter?.name || actor.username;
  const token = newInvitationToken();
  return transact(db, async (tx) => {
    const [existing] = await tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${input.email})`);
    if (existing && !existing.isActive) {
      throw conflict('This address belongs to a deactivated account', { email: ['Deactivated account'] });
    }
    const [row] = await tx
      .insert(invitations)
      .values({
        email: existing?.email ?? input.email,
        name: input.name ?? '',
        projects: input.projects ?? [],
        company: input.company ?? null,
        tokenHash: hashToken(token),
        invitedBy: actor.id,
        expiresAt: new Date(Date.now() + mailer.ttlHours * 3_600_000),
        acceptedAt: existing ? new Date() : null,
      })
      .returning();
    const invitation = row!;
    await audit(tx, {
      actorId: actor.id,
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: invitation.id,
      data: { existing_user: Boolean(existing) },
    });
    const [json] = await serialize(tx, [invitation]);
    if (existing) {
      await applyMemberships(tx, actor.id, existing.id, invitation);
      await audit(tx, {
        actorId: actor.id,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: invitation.id,
        data: { user: existing.id },
      });
      await queueAccountMail(tx, mailer.key, {
        kind: 'invitation_applied',
        to: existing.email,
        name: existing.name || existing.username,
        link: mailer.baseUrl,
        data: { inviter: inviterName, what: describeAccess(json!) },
      });
      return json!;
    }
    const link = `${mailer.baseUrl}/invite/${token}`;
    await queueAccountMail(tx, mailer.key, {
      kind: 'invitation',
      to: invitation.email,
      name: invitation.name,
      link,
      data: { inviter: inviterName, hours: String(mailer.ttlHours) },
    });
    return mailer.smtp ? json! : { ...json!, link };
  });
}

/** "Project A (user), Acme (company user)", for the notice to an existing account. */
function describeAccess(json: InvitationJson): string {
  const parts = json.projects.map((p) => `${p.name} (${p.role})`);
  if (json.company) parts.push(`${json.company.name} (company ${json.company.role})`);
  return parts.join(', ') || 'nothing new';
}

/**
 * SQL condition: the invitations the actor may see and revoke — all for the superuser, else
 * those naming a project they are superadmin of or a company they are admin of. Null when
 * they may see none (not an inviter at all: 403).
 */
async function visibleInvitations(db: Executor, actor: Actor): Promise<SQL | undefined | null> {
  if (actor.isSuperuser) return undefined;
  const [ties] = await db.execute<{ projects: number[]; companies: number[] }>(sql`
    select
      coalesce((select array_agg(project_id) from user_roles where user_id = ${actor.id} and role = 'superadmin'), '{}'::int[]) as projects,
      coalesce((select array_agg(company_id) from company_admins where user_id = ${actor.id}), '{}'::int[]) as companies`);
  if (!ties || (!ties.projects.length && !ties.companies.length)) return null;
  return sql`(exists (select 1 from jsonb_array_elements(${invitations.projects}) e
      where (e->>'project')::int = any(${pgArray(ties.projects, 'int')}))
    or (${invitations.company}->>'id')::int = any(${pgArray(ties.companies, 'int')}))`;
}

/** One page of the invitations the actor may see, newest first. */
export async function listInvitations(
  db: Db,
  actor: Actor,
  page: PageParams,
): Promise<{ count: number; results: InvitationJson[] }> {
  const where = await visibleInvitations(db, actor);
  if (where === null) throw forbidden('Only the superuser, project superadmins and company admins see invitations');
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: invitations, count: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(invitations)
    .where(where)
    .orderBy(desc(invitations.id))
    .limit(limit)
    .offset(offset);
  return {
    count: rows[0]?.count ?? 0,
    results: await serialize(
      db,
      rows.map((r) => r.row),
    ),
  };
}

/** Revokes a pending invitation the actor may see (else 404); an accepted or revoked one is a 409. */
export async function revokeInvitation(db: Db, actor: Actor, id: number): Promise<void> {
  const where = await visibleInvitations(db, actor);
  if (where === null) throw notFound();
  await transact(db, async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, id), where))
      .for('update');
    if (!row) throw notFound();
    if (row.acceptedAt || row.revokedAt) throw conflict('This invitation is no longer pending');
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, id));
    await audit(tx, { actorId: actor.id, action: 'invitation.revoked', targetType: 'invitation', targetId: id });
  });
}

/** What the acceptance page shows; an unknown, used, revoked or expired token is one 404. */
export async function previewInvitation(db: Db, token: string): Promise<InvitationPreviewJson> {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tokenHash, hashToken(token)), pending()));
  if (!row) throw notFound(INVALID);
  const [json] = await serialize(db, [row]);
  return {
    email: json!.email,
    name: json!.name,
    invited_by: { name: json!.invited_by ? json!.invited_by.name || json!.invited_by.username : '' },
    projects: json!.projects.filter((p) => p.name).map((p) => ({ name: p.name, role: p.role })),
    company: json!.company?.name ? { name: json!.company.name } : null,
  };
}

/**
 * Accepts an invitation, once: creates the account with the invited address (a taken username
 * or address is a 409), applies the memberships and opens a session. REQUIRE_2FA then applies
 * to that session like any other (the authentication middleware).
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  input: { username: string; password: string; name?: string | undefined },
  lifetimes: SessionLifetimes,
  meta: { ip: string; userAgent: string | null },
): Promise<{ tokens: IssuedTokens; user: UserRow }> {
  return transact(db, async (tx) => {
    const [invitation] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, hashToken(token)), pending()))
      .for('update');
    if (!invitation) throw notFound(INVALID);
    const user = await insertUser(tx, {
      username: input.username,
      email: invitation.email,
      password: input.password,
      name: input.name ?? invitation.name,
    });
    await audit(tx, {
      actorId: user.id,
      action: 'user.created',
      targetType: 'user',
      targetId: user.id,
      data: { invitation: invitation.id },
    });
    await applyMemberships(tx, invitation.invitedBy ?? user.id, user.id, invitation);
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, invitation.id));
    await audit(tx, {
      actorId: user.id,
      action: 'invitation.accepted',
      targetType: 'invitation',
      targetId: invitation.id,
    });
    const tokens = await createSession(tx, user.id, lifetimes, meta);
    await audit(tx, { actorId: user.id, action: 'auth.login', targetType: 'session', targetId: tokens.sessionId });
    return { tokens, user };
  });
}
