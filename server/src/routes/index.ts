import type { AppRouter } from './create-router.ts';
import { activityRouter } from './activity/activity.index.ts';
import { auditRouter } from './audit/audit.index.ts';
import { attachmentsRouter } from './attachments/attachments.index.ts';
import { authRouter } from './auth/auth.index.ts';
import { chatRouter } from './chat/chat.index.ts';
import { checklistsRouter } from './checklists/checklists.index.ts';
import { companiesRouter } from './companies/companies.index.ts';
import { contactsRouter } from './contacts/contacts.index.ts';
import { commentsRouter } from './comments/comments.index.ts';
import { columnsRouter } from './columns/columns.index.ts';
import { fieldsRouter } from './fields/fields.index.ts';
import { importsRouter } from './imports/imports.index.ts';
import { invitationsRouter } from './invitations/invitations.index.ts';
import { mailboxesRouter } from './mailboxes/mailboxes.index.ts';
import { repliesRouter } from './replies/replies.index.ts';
import { oidcRouter } from './oidc/oidc.index.ts';
import { notificationsRouter } from './notifications/notifications.index.ts';
import { prioritiesRouter } from './priorities/priorities.index.ts';
import { projectsRouter } from './projects/projects.index.ts';
import { relationsRouter } from './relations/relations.index.ts';
import { searchRouter } from './search/search.index.ts';
import { slaRouter } from './sla/sla.index.ts';
import { timeRouter } from './time/time.index.ts';
import { settingsRouter } from './settings/settings.index.ts';
import { tokensRouter } from './tokens/tokens.index.ts';
import { sessionsRouter } from './sessions/sessions.index.ts';
import { twoFactorRouter } from './two-factor/two-factor.index.ts';
import { passwordResetRouter } from './password-reset/password-reset.index.ts';
import { tagsRouter } from './tags/tags.index.ts';
import { ticketsRouter } from './tickets/tickets.index.ts';
import { usersRouter } from './users/users.index.ts';
import { webhooksRouter } from './webhooks/webhooks.index.ts';

/**
 * Every resource router mounted under `/api/tickets` (the old Django router's prefix).
 * Add a resource here and nowhere else.
 */
export const apiRouters: AppRouter[] = [
  authRouter,
  usersRouter,
  companiesRouter,
  contactsRouter,
  importsRouter,
  projectsRouter,
  columnsRouter,
  tagsRouter,
  fieldsRouter,
  prioritiesRouter,
  ticketsRouter,
  checklistsRouter,
  relationsRouter,
  timeRouter,
  slaRouter,
  commentsRouter,
  attachmentsRouter,
  activityRouter,
  chatRouter,
  notificationsRouter,
  webhooksRouter,
  settingsRouter,
  auditRouter,
  tokensRouter,
  sessionsRouter,
  twoFactorRouter,
  passwordResetRouter,
  invitationsRouter,
  mailboxesRouter,
  repliesRouter,
  oidcRouter,
  searchRouter,
];
