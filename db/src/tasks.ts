/**
 * Every background task Laneway runs, by its graphile-worker identifier. It lives in the lowest
 * layer that names a task: the database's own webhook trigger queues `deliverWebhook` (its name
 * is given to the trigger by `migrate.ts`, never written in SQL), the server enqueues jobs
 * (`server/src/services/jobs.ts`), and the worker runs each from `workers/src/tasks/<identifier>.ts`,
 * whose export is the key here (decision 0019).
 */
export const TASKS = {
  archiveDoneTickets: 'archive_done_tickets',
  deliverWebhook: 'deliver_webhook',
  notify: 'notify',
  cleanup: 'cleanup',
  accountMail: 'account_mail',
  pollMailboxes: 'poll_mailboxes',
  mailChatMessage: 'mail_chat_message',
  slaCheck: 'sla_check',
  slaSweep: 'sla_sweep',
  importProject: 'import_project',
} as const;

/** A task identifier, as graphile-worker stores it in `task_identifier`. */
export type TaskName = (typeof TASKS)[keyof typeof TASKS];
