/**
 * The REST API, the web app's one door to it: `createApi(fetch)` puts together every resource's
 * calls (one module per resource, as the server's `routes/<resource>/`), and the resource and
 * body types come along. Nothing in `api/` imports this file.
 *
 * What the board's first load runs (the root and app layouts, the project layout, the board page
 * and the state they make) builds its calls from the resource modules it uses instead, over
 * `requester(fetch)`, and imports only types from here: `createApi` brings every resource's
 * calls into the page that imports it (decision 0061).
 */
import { accountCalls } from './account.ts';
import { activityCalls } from './activity.ts';
import { attachmentCalls } from './attachments.ts';
import { authCalls } from './auth.ts';
import { chatCalls } from './chat.ts';
import { checklistCalls } from './checklists.ts';
import { columnCalls } from './columns.ts';
import { commentCalls } from './comments.ts';
import { companyCalls } from './companies.ts';
import { contactCalls } from './contacts.ts';
import { fieldCalls } from './fields.ts';
import { importCalls } from './imports.ts';
import { mailboxCalls } from './mailboxes.ts';
import { notificationCalls } from './notifications.ts';
import { priorityCalls } from './priorities.ts';
import { projectCalls } from './projects.ts';
import { relationCalls } from './relations.ts';
import { replyCalls } from './replies.ts';
import { requester, type Fetch } from './request.ts';
import { searchCalls } from './search.ts';
import { settingsCalls } from './settings.ts';
import { ssoCalls } from './sso.ts';
import { tagCalls } from './tags.ts';
import { ticketCalls } from './tickets.ts';
import { timeCalls } from './time.ts';
import { userCalls } from './users.ts';
import { webhookCalls } from './webhooks.ts';

export { ApiError } from './request.ts';
export { uploadAttachment } from './attachments.ts';
export { exportHref, importForm, previewImport, startImport } from './imports.ts';
export type { ResolvedTicket, TicketQuery } from './tickets.ts';
export type * from './types.ts';
export type * from './fields.ts';
export type * from './checklists.ts';
export type * from './mailboxes.ts';
export type * from './replies.ts';
export type * from './sso.ts';
export { ssoLoginHref } from './sso.ts';
export type * from './search.ts';
export type * from './account.ts';
export { auditQuery } from './account.ts';
export type * from './time.ts';
export type * from './relations.ts';

/**
 * The REST API over a given `fetch`: SvelteKit's in `load` (so server rendering forwards the
 * session cookie), the browser's in components. Holds no state of its own.
 *
 * @example const board = await createApi(fetch).board(7);
 */
export function createApi(fetcher: Fetch) {
  const call = requester(fetcher);
  return {
    ...authCalls(call),
    ...accountCalls(call),
    ...projectCalls(call),
    ...columnCalls(call),
    ...tagCalls(call),
    ...ticketCalls(call),
    ...commentCalls(call),
    ...attachmentCalls(call),
    ...activityCalls(call),
    ...priorityCalls(call),
    ...userCalls(call),
    ...companyCalls(call),
    ...contactCalls(call),
    ...chatCalls(call),
    ...notificationCalls(call),
    ...webhookCalls(call),
    ...settingsCalls(call),
    ...fieldCalls(call),
    ...checklistCalls(call),
    ...mailboxCalls(call),
    ...replyCalls(call),
    ...ssoCalls(call),
    ...searchCalls(call),
    ...timeCalls(call),
    ...relationCalls(call),
    ...importCalls(call),
  };
}

export type Api = ReturnType<typeof createApi>;
