import { accessChanged, transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { DEFAULT_COLUMNS } from '@laneway/db/defaults';
import { columns, companies, projectCompanies, projects, userRoles, users } from '@laneway/db/schema';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { assertAllFound } from '../lib/refs.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { isoTime } from '../lib/time.ts';
import { containsPattern, pageWindow, type PageParams } from '../lib/pagination.ts';
import {
  authorize,
  canCreateProject,
  canManageProject,
  canSeeProject,
  canViewReports,
  type ProjectAccess,
  type ProjectRole,
} from '../policy/index.ts';
import { loadActorProfile, loadProjectAccess, myCompaniesSql, roleSql, visibleProjectsSql } from '../policy/load.ts';
import { recordChange } from './changes.ts';
import { companyPeople } from './companies.ts';
import { keyBetween } from './ordering.ts';

export type ProjectRow = typeof projects.$inferSelect;

export function serializeProject(p: ProjectRow, companyIds: number[], role: ProjectRole | null) {
  return {
    id: p.id,
    name: p.name,
    key: p.key,
    description: p.description,
    companies: companyIds,
    created_by: p.createdBy,
    created_at: p.createdAt.toISOString(),
    archive_after_hours: p.archiveAfterHours,
    role,
  };
}
export type ProjectJson = ReturnType<typeof serializeProject>;

/** The project as the actor may see it, or 404. */
export async function requireProjectAccess(db: Executor, actor: Actor, projectId: number): Promise<ProjectAccess> {
  const access = await loadProjectAccess(db, actor, projectId);
  if (!canSeeProject(access)) throw notFound();
  return access;
}

/** The project, if the actor may manage it: 404 when they cannot see it, 403 when not its superadmin. */
export async function requireProjectManager(
  db: Executor,
  actor: Actor,
  projectId: number,
  what?: string,
): Promise<ProjectAccess> {
  const access = await requireProjectAccess(db, actor, projectId);
  authorize(true, canManageProject(access), what);
  return access;
}

/**
 * A row that belongs to one project (a column, a tag), read by `load` (which answers 404 when
 * there is none), if the actor may manage that project: `requireProjectManager`'s 404 or 403.
 *
 * @example const column = await requireManageable(db, actor, loadColumn, id);
 */
export async function requireManageable<T extends { projectId: number }>(
  db: Executor,
  actor: Actor,
  load: (db: Executor, id: number) => Promise<T>,
  id: number,
): Promise<T> {
  const row = await load(db, id);
  await requireProjectManager(db, actor, row.projectId);
  return row;
}

/**
 * The project's linked companies as the actor may know them: staff (superuser, members) see
 * every one; company people only their own, since another client's id is not theirs to learn
 * (issue 14, tenant isolation).
 */
const companyIdsSql = (actorId: number, superuser: boolean) =>
  superuser
    ? sql<number[]>`coalesce((select array_agg(pc.company_id order by pc.company_id)
        from project_companies pc where pc.project_id = p.id), '{}'::int[])`
    : sql<number[]>`coalesce((select array_agg(pc.company_id order by pc.company_id)
        from project_companies pc where pc.project_id = p.id
          and (exists (select 1 from user_roles r where r.project_id = p.id and r.user_id = ${actorId})
            or pc.company_id in (${myCompaniesSql(actorId)}))), '{}'::int[])`;

interface ProjectListRow {
  [key: string]: unknown;
  id: number;
  name: string;
  key: string;
  description: string;
  created_by: number | null;
  created_at: string;
  archive_after_hours: number | null;
  ticket_seq: number;
  companies: number[];
  role: ProjectRole | null;
  total: number;
}

function fromListRow(r: ProjectListRow) {
  return serializeProject(
    {
      id: r.id,
      name: r.name,
      key: r.key,
      description: r.description,
      createdBy: r.created_by,
      createdAt: new Date(isoTime(r.created_at)),
      archiveAfterHours: r.archive_after_hours,
      ticketSeq: r.ticket_seq,
    },
    r.companies,
    r.role,
  );
}

export const PROJECT_ORDERING = ['name', 'key', 'created_at'] as const;

/** A page of the projects the actor can see, with their role in each. */
export async function listProjects(
  db: Executor,
  actor: Actor,
  search: string | undefined,
  ordering: { field: (typeof PROJECT_ORDERING)[number]; desc: boolean }[],
  page: PageParams,
) {
  const { limit, offset } = pageWindow(page);
  const where = search
    ? sql`and (p.name ilike ${containsPattern(search)} or p.key ilike ${containsPattern(search)})`
    : sql``;
  const order = ordering.length
    ? sql.join(
        ordering.map((o) => sql`${sql.identifier(o.field)} ${o.desc ? sql`desc` : sql`asc`}`),
        sql`, `,
      )
    : sql`name asc`;
  const rows = await db.execute<ProjectListRow>(sql`
    select p.*, ${companyIdsSql(actor.id, actor.isSuperuser)} as companies,
      ${roleSql(sql`p.id`, actor.id)} as role,
      count(*) over ()::int as total
    from projects p
    where ${visibleProjectsSql(actor)} ${where}
    order by ${order}, p.id
    limit ${limit} offset ${offset}`);
  return { count: rows[0]?.total ?? 0, results: rows.map(fromListRow) };
}

/** The project the actor can see, or 404. */
export async function getProject(db: Executor, actor: Actor, id: number): Promise<ProjectJson> {
  return projectJson(db, await requireProjectAccess(db, actor, id));
}

async function projectJson(db: Executor, access: ProjectAccess): Promise<ProjectJson> {
  const rows = await db.execute<ProjectListRow>(sql`
    select p.*, ${companyIdsSql(access.actorId, access.superuser)} as companies, 0 as total, null as role
    from projects p where p.id = ${access.projectId}`);
  const row = rows[0];
  if (!row) throw notFound();
  return { ...fromListRow(row), role: access.role };
}

async function assertCompaniesExist(db: Executor, ids: number[]) {
  if (!ids.length) return;
  const found = await db.select({ id: companies.id }).from(companies).where(inArray(companies.id, ids));
  assertAllFound(ids, found, 'companies', 'Unknown companies', (id) => `No company ${id}`);
}

async function assertKeyFree(db: Executor, key: string, exceptId?: number) {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(sql`upper(${projects.key}) = upper(${key})`);
  if (row && row.id !== exceptId) throw conflict('A project with this key already exists', { key: ['Taken'] });
}

export interface NewProject {
  name: string;
  key: string;
  description?: string | undefined;
  companies?: number[] | undefined;
}

/** Creates a project with its default columns; the creator becomes its superadmin. Not for company people (403). */
export async function createProject(db: Db, actor: Actor, input: NewProject): Promise<ProjectJson> {
  authorize(true, canCreateProject(await loadActorProfile(db, actor)), 'Company people cannot create projects');
  return transact(db, async (tx) => {
    await assertKeyFree(tx, input.key);
    const companyIds = [...new Set(input.companies ?? [])].sort((a, b) => a - b);
    await assertCompaniesExist(tx, companyIds);
    const [project] = await tx
      .insert(projects)
      .values({ name: input.name, key: input.key, description: input.description ?? '', createdBy: actor.id })
      .returning();
    const p = project!;
    await tx.insert(userRoles).values({ projectId: p.id, userId: actor.id, role: 'superadmin' });
    let position: string | null = null;
    const columnRows = DEFAULT_COLUMNS.map((col) => {
      position = keyBetween({ lower: position, upper: null });
      return { projectId: p.id, name: col.name, category: col.category, position };
    });
    await tx.insert(columns).values(columnRows);
    if (companyIds.length) {
      await tx.insert(projectCompanies).values(companyIds.map((companyId) => ({ projectId: p.id, companyId })));
    }
    const json = serializeProject(p, companyIds, 'superadmin');
    await recordChange(tx, {
      projectId: p.id,
      ticketId: null,
      actorId: actor.id,
      verb: 'project.created',
      data: { name: p.name },
      payload: json,
    });
    // Its creator's first role may make them staff (write budgets): their credential is re-read.
    accessChanged([actor.id], p.id);
    return json;
  });
}

export interface ProjectPatch {
  name?: string | undefined;
  key?: string | undefined;
  description?: string | undefined;
  companies?: number[] | undefined;
  archive_after_hours?: number | null | undefined;
}

/** Updates a project the actor manages; `companies`, when given, replaces the whole list. */
export async function updateProject(db: Db, actor: Actor, id: number, patch: ProjectPatch): Promise<ProjectJson> {
  const access = await requireProjectManager(db, actor, id);
  return transact(db, async (tx) => {
    if (patch.key !== undefined) await assertKeyFree(tx, patch.key, id);
    const values: Partial<typeof projects.$inferInsert> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.key !== undefined) values.key = patch.key;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.archive_after_hours !== undefined) values.archiveAfterHours = patch.archive_after_hours;
    if (Object.keys(values).length) await tx.update(projects).set(values).where(eq(projects.id, id));
    if (patch.companies !== undefined) {
      const companyIds = [...new Set(patch.companies)];
      await assertCompaniesExist(tx, companyIds);
      const before = (
        await tx
          .delete(projectCompanies)
          .where(eq(projectCompanies.projectId, id))
          .returning({ companyId: projectCompanies.companyId })
      ).map((r) => r.companyId);
      if (companyIds.length) {
        await tx.insert(projectCompanies).values(companyIds.map((companyId) => ({ projectId: id, companyId })));
      }
      // The people of a company linked or unlinked now see this board differently.
      const changed = [
        ...before.filter((c) => !companyIds.includes(c)),
        ...companyIds.filter((c) => !before.includes(c)),
      ];
      accessChanged(await companyPeople(tx, changed), id);
    }
    const json = await projectJson(tx, access);
    await recordChange(tx, {
      projectId: id,
      ticketId: null,
      actorId: actor.id,
      verb: 'project.updated',
      data: { fields: Object.keys(patch) },
      payload: json,
    });
    return json;
  });
}

/** Deletes a project the actor manages, and everything in it. */
export async function deleteProject(db: Db, actor: Actor, projectId: number): Promise<void> {
  await requireProjectManager(db, actor, projectId);
  await transact(db, async (tx) => {
    const members = await tx.delete(userRoles).where(eq(userRoles.projectId, projectId)).returning();
    await tx.delete(projects).where(eq(projects.id, projectId));
    // Its members' roles went with it: sockets on the project end, cached staffness is dropped.
    accessChanged(
      members.map((m) => m.userId),
      projectId,
    );
  });
}

// Members.

export function serializeMember(m: { userId: number; username: string; name: string; role: ProjectRole }) {
  return { user: { id: m.userId, username: m.username, name: m.name }, role: m.role };
}

const memberFields = { userId: users.id, username: users.username, name: users.name, role: userRoles.role };

/** A project's members, for anyone who can see the project. */
export async function listMembers(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  await requireProjectAccess(db, actor, projectId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ ...memberFields, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(eq(userRoles.projectId, projectId))
    .orderBy(asc(users.username))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map(serializeMember) };
}

export async function memberJson(db: Executor, projectId: number, userId: number) {
  const [row] = await db
    .select(memberFields)
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.projectId, projectId), eq(userRoles.userId, userId)));
  if (!row) throw notFound('Not a member');
  return serializeMember(row);
}

/** Refuses a change that would leave the project without a superadmin. */
async function assertKeepsASuperadmin(tx: Executor, projectId: number, userId: number) {
  const rows = await tx
    .select({ userId: userRoles.userId })
    .from(userRoles)
    .where(and(eq(userRoles.projectId, projectId), eq(userRoles.role, 'superadmin')))
    .for('update');
  if (rows.length === 1 && rows[0]!.userId === userId) {
    throw conflict('A project needs at least one superadmin');
  }
}

/** Gives a user a role in a project the actor manages; an existing member is a 409. */
export async function addMember(db: Db, actor: Actor, projectId: number, userId: number, role: ProjectRole) {
  await requireProjectManager(db, actor, projectId);
  return transact(db, async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw badRequest('Unknown user', { user_id: [`No user ${userId}`] });
    const inserted = await tx.insert(userRoles).values({ projectId, userId, role }).onConflictDoNothing().returning();
    if (!inserted.length) throw conflict('Already a member; PATCH the member to change the role');
    const json = await memberJson(tx, projectId, userId);
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'member.added',
      data: { user: userId, role },
      payload: json,
    });
    // A role is what makes someone staff (write budgets): their cached credential is re-read.
    accessChanged([userId], projectId);
    return json;
  });
}

/** Changes a member's role in a project the actor manages; the last superadmin stays one. */
export async function updateMember(db: Db, actor: Actor, projectId: number, userId: number, role: ProjectRole) {
  await requireProjectManager(db, actor, projectId);
  return transact(db, async (tx) => {
    if (role !== 'superadmin') await assertKeepsASuperadmin(tx, projectId, userId);
    const updated = await tx
      .update(userRoles)
      .set({ role })
      .where(and(eq(userRoles.projectId, projectId), eq(userRoles.userId, userId)))
      .returning();
    if (!updated.length) throw notFound('Not a member');
    const json = await memberJson(tx, projectId, userId);
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'member.updated',
      data: { user: userId, role },
      payload: json,
    });
    accessChanged([userId], projectId);
    return json;
  });
}

/** Removes a member from a project the actor manages; the last superadmin stays. */
export async function removeMember(db: Db, actor: Actor, projectId: number, userId: number) {
  await requireProjectManager(db, actor, projectId);
  await transact(db, async (tx) => {
    await assertKeepsASuperadmin(tx, projectId, userId);
    const removed = await tx
      .delete(userRoles)
      .where(and(eq(userRoles.projectId, projectId), eq(userRoles.userId, userId)))
      .returning();
    if (!removed.length) throw notFound('Not a member');
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'member.removed',
      data: { user: userId },
      payload: { user: userId },
    });
    accessChanged([userId], projectId);
  });
}

// Report.

/**
 * Board statistics: open tickets per column, tickets created and done per day over the last
 * `days` days, and cycle time (created to done) of tickets finished in that window. For
 * managers and up (403), of a project the actor can see (404).
 */
export async function projectReport(db: Executor, actor: Actor, projectId: number, days: number) {
  authorize(true, canViewReports(await requireProjectAccess(db, actor, projectId)), 'Reports are for managers and up');
  const [perColumn, perDay, cycle] = await Promise.all([
    db.execute<{ column: number; name: string; category: string; count: number }>(sql`
      select c.id as column, c.name, c.category, count(t.id)::int as count
      from columns c left join tickets t on t.column_id = c.id and not t.is_archived
      where c.project_id = ${projectId}
      group by c.id order by c.position`),
    db.execute<{ day: string; created: number; done: number }>(sql`
      with days as (
        select generate_series((now() at time zone 'utc')::date - ${days - 1}::int, (now() at time zone 'utc')::date, '1 day')::date as day)
      select to_char(d.day, 'YYYY-MM-DD') as day,
        (select count(*)::int from tickets t where t.project_id = ${projectId}
          and (t.created_at at time zone 'utc')::date = d.day) as created,
        (select count(*)::int from tickets t where t.project_id = ${projectId}
          and (t.done_at at time zone 'utc')::date = d.day) as done
      from days d order by d.day`),
    db.execute<{ count: number; avg_hours: number | null; median_hours: number | null; p90_hours: number | null }>(sql`
      select count(*)::int as count,
        avg(extract(epoch from done_at - created_at) / 3600)::float8 as avg_hours,
        percentile_cont(0.5) within group (order by extract(epoch from done_at - created_at) / 3600)::float8 as median_hours,
        percentile_cont(0.9) within group (order by extract(epoch from done_at - created_at) / 3600)::float8 as p90_hours
      from tickets where project_id = ${projectId} and done_at >= now() - make_interval(days => ${days})`),
  ]);
  const c = cycle[0]!;
  return {
    project: projectId,
    days,
    columns: [...perColumn],
    per_day: [...perDay],
    cycle_time: { count: c.count, avg_hours: c.avg_hours, median_hours: c.median_hours, p90_hours: c.p90_hours },
  };
}
