import type { Executor } from '@laneway/db/client';
import { tickets } from '@laneway/db/schema';
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import type { ActorProfile, ProjectAccess, ProjectRole } from './index.ts';

/**
 * Loads what the actor is to a project in one round trip: the membership role and the actor's
 * companies linked to the project. Null when the project does not exist.
 */
export async function loadProjectAccess(db: Executor, actor: Actor, projectId: number): Promise<ProjectAccess | null> {
  return (await loadProjectAccessWith(db, actor, projectId, sql`null`))?.access ?? null;
}

/** `loadProjectAccess` plus one more column read in the same query (the board's version). */
export async function loadProjectAccessWith<T>(
  db: Executor,
  actor: Actor,
  projectId: number,
  extra: SQL<T>,
): Promise<{ access: ProjectAccess; extra: T } | null> {
  const rows = await db.execute<{ id: number; role: ProjectRole | null; company_ids: number[]; extra: T }>(sql`
    select p.id,
      ${roleSql(sql`p.id`, actor.id)} as role,
      ${linkedCompaniesSql(sql`p.id`, actor.id)} as company_ids,
      ${extra} as extra
    from projects p where p.id = ${projectId}`);
  const row = rows[0];
  if (!row) return null;
  return {
    access: {
      projectId: row.id,
      actorId: actor.id,
      superuser: actor.isSuperuser,
      role: row.role,
      companyIds: row.company_ids,
    },
    extra: row.extra,
  };
}

/**
 * The actor's id in the SQL below: a number, or a placeholder of a statement built once and
 * run for many actors (`executeShape`).
 */
export type ActorIdParam = number | Placeholder;

/** SQL for the actor's membership role in a project (null when not a member). */
export function roleSql(projectId: SQL, actorId: ActorIdParam): SQL<ProjectRole | null> {
  return sql<ProjectRole | null>`(select r.role from user_roles r where r.project_id = ${projectId} and r.user_id = ${actorId})`;
}

/** SQL for "the actor's companies linked to this project", as an int[] (empty when none). */
export function linkedCompaniesSql(projectId: SQL, actorId: ActorIdParam): SQL {
  return sql`coalesce((select array_agg(pc.company_id order by pc.company_id) from project_companies pc
      where pc.project_id = ${projectId} and pc.company_id in (${myCompaniesSql(actorId)})), '{}'::int[])`;
}

/** SQL subquery: ids of the companies the actor belongs to, as admin or user. */
export function myCompaniesSql(actorId: ActorIdParam): SQL {
  return sql`select company_id from company_admins where user_id = ${actorId}
      union select company_id from company_users where user_id = ${actorId}`;
}

/**
 * SQL condition on `tickets`: the tickets the actor may see anywhere. Superusers see all;
 * members see their projects' tickets; company people see their companies' tickets in projects
 * linked to those companies.
 */
export function visibleTicketsSql(actor: Actor): SQL {
  if (actor.isSuperuser) return sql`true`;
  return sql`(${tickets.projectId} in (select project_id from user_roles where user_id = ${actor.id})
    or (${tickets.companyId} in (${myCompaniesSql(actor.id)})
        and exists (select 1 from project_companies pc
          where pc.project_id = ${tickets.projectId} and pc.company_id = ${tickets.companyId})))`;
}

/**
 * SQL condition: the actor is staff in the project with id `projectId` (a member with any role,
 * or a superuser), so may see what company people may not (project-wide rooms, internal notes).
 */
export function staffInProjectSql(actor: Actor, projectId: SQL): SQL {
  if (actor.isSuperuser) return sql`true`;
  return sql`(${projectId} in (select project_id from user_roles where user_id = ${actor.id}))`;
}

/** SQL condition on a projects alias `p`: the projects the actor may see. */
export function visibleProjectsSql(actor: Actor): SQL {
  if (actor.isSuperuser) return sql`true`;
  return sql`(p.id in (select project_id from user_roles where user_id = ${actor.id})
    or p.id in (select project_id from project_companies where company_id in (${myCompaniesSql(actor.id)})))`;
}

/** The actor's company ties and staff status, for instance-wide decisions. */
export async function loadActorProfile(db: Executor, actor: Actor): Promise<ActorProfile> {
  const rows = await db.execute<{
    admin_of: number[];
    member_of: number[];
    is_member: boolean;
    is_admin: boolean;
    admin_linked: number[];
  }>(sql`
    select
      coalesce((select array_agg(company_id) from company_admins where user_id = ${actor.id}), '{}'::int[]) as admin_of,
      coalesce((select array_agg(company_id) from company_users where user_id = ${actor.id}), '{}'::int[]) as member_of,
      exists (select 1 from user_roles where user_id = ${actor.id}) as is_member,
      exists (select 1 from user_roles where user_id = ${actor.id} and role in ('superadmin', 'admin')) as is_admin,
      coalesce((select array_agg(distinct pc.company_id) from project_companies pc
        join user_roles r on r.project_id = pc.project_id
        where r.user_id = ${actor.id} and r.role in ('superadmin', 'admin')), '{}'::int[]) as admin_linked`);
  const row = rows[0];
  return {
    actor,
    adminOfCompanies: row?.admin_of ?? [],
    memberOfCompanies: row?.member_of ?? [],
    isProjectMember: row?.is_member ?? false,
    isProjectAdmin: row?.is_admin ?? false,
    adminLinkedCompanies: row?.admin_linked ?? [],
  };
}
