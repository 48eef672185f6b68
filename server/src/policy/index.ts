/**
 * The one place that answers "may this actor do this to that?" (SPEC §4). Decisions are pure
 * functions of facts loaded by `load.ts`; routes and services never compare roles themselves.
 *
 * Two outcomes matter: what an actor may not *see* answers 404 (ids cannot be probed), what
 * they may see but not *change* answers 403. `authorize(visible, allowed)` turns a pair of
 * decisions into the right error.
 */
import type { Actor } from '../lib/actor.ts';
import { forbidden, notFound } from '../lib/errors.ts';

import type { ProjectRole } from '../schemas/projects.ts';

export { PROJECT_ROLES, type ProjectRole } from '../schemas/projects.ts';

/** What one actor is to one project. */
export interface ProjectAccess {
  projectId: number;
  actorId: number;
  superuser: boolean;
  /** Membership role, null for non-members (company people, or nobody). */
  role: ProjectRole | null;
  /** The actor's companies (as admin or user) that are linked to this project. */
  companyIds: number[];
}

/** The facts about a ticket that decisions depend on. */
export interface TicketFacts {
  companyId: number | null;
  reporterId: number | null;
  assigneeIds: number[];
}

/** What an actor is outside any project: their company ties and whether they are staff anywhere. */
export interface ActorProfile {
  actor: Actor;
  adminOfCompanies: number[];
  memberOfCompanies: number[];
  /** Holds a role in at least one project. */
  isProjectMember: boolean;
  /** Holds superadmin or admin in at least one project. */
  isProjectAdmin: boolean;
  /** Companies linked to a project where the actor is superadmin or admin. */
  adminLinkedCompanies: number[];
}

const has = (a: ProjectAccess, roles: readonly ProjectRole[]) =>
  a.superuser || (a.role !== null && roles.includes(a.role));

/** Staff see the whole board; company people see only their company's tickets. */
export const isStaff = (a: ProjectAccess) => a.superuser || a.role !== null;

export const canSeeProject = (a: ProjectAccess | null): a is ProjectAccess =>
  a !== null && (isStaff(a) || a.companyIds.length > 0);
export const canManageProject = (a: ProjectAccess) => has(a, ['superadmin']);
export const canViewReports = (a: ProjectAccess) => has(a, ['superadmin', 'admin', 'manager']);

export const canSeeTicket = (a: ProjectAccess, t: TicketFacts) =>
  isStaff(a) || (t.companyId !== null && a.companyIds.includes(t.companyId));

/** Staff who are not read-only may create; company people only for one of their companies. */
export const canCreateTicket = (a: ProjectAccess, companyId: number | null) =>
  has(a, ['superadmin', 'admin', 'user']) || (!isStaff(a) && companyId !== null && a.companyIds.includes(companyId));

/** Which tickets one may edit and move: every one, one's own (reported or assigned), or none. */
export type EditScope = 'all' | 'own' | 'none';

/**
 * Who edits and moves which tickets, by project role (SPEC §4): superadmins and admins any,
 * users those they report or are assigned to, managers none (they read). The web app offers a
 * drag or an edit from the same table: its copy is typed `TicketEditScope`, so a change here
 * does not compile there until it matches (issue 13 row 5).
 */
export const TICKET_EDIT_SCOPE = {
  superadmin: 'all',
  admin: 'all',
  manager: 'none',
  user: 'own',
} as const satisfies Record<ProjectRole, EditScope>;
export type TicketEditScope = typeof TICKET_EDIT_SCOPE;

/** The instance superuser edits everything; everyone else as their project role says. */
export const ticketEditScope = (a: ProjectAccess): EditScope =>
  a.superuser ? 'all' : a.role === null ? 'none' : TICKET_EDIT_SCOPE[a.role];

/** Superadmins and admins edit any ticket; users only those they report or are assigned to. */
export const canEditTicket = (a: ProjectAccess, t: TicketFacts) => {
  const scope = ticketEditScope(a);
  return scope === 'all' || (scope === 'own' && (t.reporterId === a.actorId || t.assigneeIds.includes(a.actorId)));
};

/** Why an edit or a move of ticket `key` was refused, in words the interface shows as they are. */
export const editRefusal = (key: string, verb: 'edit' | 'move') =>
  `Only the reporter, assignees and admins can ${verb} ${key}`;

/**
 * Closing or reopening a ticket (a move to the first done or first open column): whoever may
 * move it, and the company people of its company who reported it or are its contact (decision
 * 0038).
 */
export const canCloseTicket = (a: ProjectAccess, t: TicketFacts, isContact: boolean) =>
  canEditTicket(a, t) ||
  (!isStaff(a) &&
    t.companyId !== null &&
    a.companyIds.includes(t.companyId) &&
    (t.reporterId === a.actorId || isContact));

export const canAssign = (a: ProjectAccess) => has(a, ['superadmin', 'admin']);
export const canArchive = (a: ProjectAccess) => has(a, ['superadmin', 'admin']);
export const canDeleteTicket = (a: ProjectAccess) => has(a, ['superadmin']);

/** Canned responses: every staff member uses them, superadmins and admins write them (SPEC §13). */
export const canUseReplies = (a: ProjectAccess) => isStaff(a);
export const canManageReplies = (a: ProjectAccess) => has(a, ['superadmin', 'admin']);

/**
 * Time tracking (SPEC §14) is staff business: company people never see it. Those who work
 * tickets (not read-only managers) log their own time; superadmins and admins correct anyone's.
 */
export const canSeeTime = (a: ProjectAccess) => isStaff(a);
export const canTrackTime = (a: ProjectAccess) => has(a, ['superadmin', 'admin', 'user']);
export const canEditTimeEntry = (a: ProjectAccess, userId: number | null) =>
  has(a, ['superadmin', 'admin']) || (canTrackTime(a) && userId === a.actorId);
/** SLA targets and business hours are project settings (superadmins). */
export const canManageSla = (a: ProjectAccess) => canManageProject(a);

/** Everyone who can see a ticket can discuss it: comments, attachments, its chat room. */
export const canDiscussTicket = (a: ProjectAccess, t: TicketFacts) => canSeeTicket(a, t);

/** Internal notes (comments with `internal: true`): staff see and write them, company people never (SPEC §4). */
export const canWriteInternal = (a: ProjectAccess) => isStaff(a);

/** Authors edit their own words; superadmins and admins may also remove them (moderation). */
export const canEditOwn = (a: ProjectAccess, authorId: number | null) => authorId === a.actorId;
export const canModerate = (a: ProjectAccess, authorId: number | null) =>
  authorId === a.actorId || has(a, ['superadmin', 'admin']);

// Instance-wide decisions.

export const canManageUsers = (actor: Actor) => actor.isSuperuser;
/** The instance-wide audit log (SPEC §11). */
export const canReadAudit = (actor: Actor) => actor.isSuperuser;
export const canManageCompanies = (actor: Actor) => actor.isSuperuser;
/** The instance's name, accent colour, logo and favicon. */
export const canManageBranding = (actor: Actor) => actor.isSuperuser;
/** Company admins manage the people of their own company, not its name or its admins. */
export const canManageCompanyPeople = (p: ActorProfile, companyId: number) =>
  p.actor.isSuperuser || p.adminOfCompanies.includes(companyId);
/**
 * Inviting people into a company by email: superusers as admin or user, its company admins as
 * users only (they do not choose the company's admins).
 */
export const canInviteToCompany = (p: ActorProfile, companyId: number, role: 'admin' | 'user') =>
  p.actor.isSuperuser || (p.adminOfCompanies.includes(companyId) && role === 'user');
export const canSeeCompany = (p: ActorProfile, companyId: number) =>
  p.actor.isSuperuser ||
  p.isProjectMember ||
  p.adminOfCompanies.includes(companyId) ||
  p.memberOfCompanies.includes(companyId);
/** A company PATCH touching `fields`: superusers change anything, its admins only `users`. */
export const canUpdateCompany = (p: ActorProfile, companyId: number, fields: readonly string[]) =>
  canManageCompanies(p.actor) || (canManageCompanyPeople(p, companyId) && fields.every((f) => f === 'users'));
/** `canSeeCompany` for lists: null when every company is visible, else the visible ids. */
export const visibleCompanies = (p: ActorProfile): number[] | null =>
  p.actor.isSuperuser || p.isProjectMember ? null : [...new Set([...p.adminOfCompanies, ...p.memberOfCompanies])];

/** People of client companies are clients: they do not open projects. */
export const isCompanyPerson = (p: ActorProfile) =>
  !p.actor.isSuperuser && !p.isProjectMember && p.adminOfCompanies.length + p.memberOfCompanies.length > 0;
export const canCreateProject = (p: ActorProfile) => !isCompanyPerson(p);
/** Importing a file into an existing project (issue 19, decision 0054): the superuser only; others import into new projects. */
export const canImportInto = (a: ProjectAccess) => a.superuser;
/**
 * The user directory (for pickers) is for staff: not for clients, and not for a user with no
 * role and no company, who shares a project with nobody (issue 14 row 6).
 */
export const canListUsers = (p: ActorProfile) => p.actor.isSuperuser || p.isProjectMember;

/**
 * Staff outside any project: the instance superuser and project members. A user with no role
 * and no company (an account nobody has given anything yet) is neither staff nor a company
 * person: they see no directory and no contacts (issue 14 row 6).
 */
export const isStaffProfile = (p: ActorProfile) => p.actor.isSuperuser || p.isProjectMember;

/** Contacts: staff see all; everyone else only their companies' (none for a user with no ties). */
export const canSeeContact = (p: ActorProfile, companyId: number | null) =>
  isStaffProfile(p) ||
  (companyId !== null && (p.adminOfCompanies.includes(companyId) || p.memberOfCompanies.includes(companyId)));
/**
 * Who writes contacts (SPEC §4, issue 14 row 4): the instance superuser; a company's admins
 * for their own company's contacts; and — SPEC §4 is silent on them — project superadmins and
 * admins for the contacts of companies linked to a project they run, since they file and
 * handle those clients' tickets, plus company-less contacts (intake with no client yet, no
 * tenant to protect). Managers and `user`s only read them: they are not the client's keepers.
 */
export const canEditContact = (p: ActorProfile, companyId: number | null) =>
  p.actor.isSuperuser ||
  (companyId === null
    ? p.isProjectAdmin
    : p.adminOfCompanies.includes(companyId) || p.adminLinkedCompanies.includes(companyId));
/** `canSeeContact` for lists: null when every contact is visible, else only those of these companies. */
export const visibleContactCompanies = (p: ActorProfile): number[] | null =>
  isStaffProfile(p) ? null : [...new Set([...p.adminOfCompanies, ...p.memberOfCompanies])];

/**
 * Turns a (may see, may do) pair into nothing, a 404 or a 403.
 *
 * @example authorize(canSeeTicket(access, t), canEditTicket(access, t));
 */
export function authorize(visible: boolean, allowed: boolean, what = 'You may not do that'): void {
  if (!visible) throw notFound();
  if (!allowed) throw forbidden(what);
}
