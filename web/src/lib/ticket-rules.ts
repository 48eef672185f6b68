/**
 * Which tickets the viewer may edit and move, for offering the controls (a drag, an Edit
 * button). The server decides (server/src/policy/index.ts); this is its table, typed by it: the
 * server's `TICKET_EDIT_SCOPE` is the type of the copy below, so the two cannot drift apart
 * without a compile error here (issue 13 row 5).
 */
import type { EditScope, TicketEditScope } from '../../../server/src/policy/index.ts';
import type { Me, ProjectRole, Ticket } from '#lib/api/index.ts';

export type { EditScope };

const TICKET_EDIT_SCOPE: TicketEditScope = { superadmin: 'all', admin: 'all', manager: 'none', user: 'own' };

/** Which tickets of a project the viewer may edit and move: all, their own, or none. */
export function editScope(me: Pick<Me, 'is_superuser'> | null, role: ProjectRole | null): EditScope {
  if (!me) return 'none';
  if (me.is_superuser) return 'all';
  return role === null ? 'none' : TICKET_EDIT_SCOPE[role];
}

/**
 * Whether the viewer may edit and move this ticket: everyone in scope `all`; in scope `own`,
 * its reporter and its assignees.
 *
 * @example mayEditTicket('own', 7, { reporter: 7, assignees: [] }) // true
 */
export function mayEditTicket(
  scope: EditScope,
  myId: number | undefined,
  ticket: Pick<Ticket, 'reporter' | 'assignees'>,
): boolean {
  if (scope === 'all') return true;
  return scope === 'own' && myId !== undefined && (ticket.reporter === myId || ticket.assignees.includes(myId));
}
