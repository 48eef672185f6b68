/** REST calls for a project's mailboxes (the email channel, SPEC §13). */
import type { z } from 'zod';
import type {
  MailboxSchema,
  MailboxTestSchema,
  MailboxWithTokenSchema,
  MailLogEntrySchema,
} from '../../../../server/src/schemas/mailboxes.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type Mailbox = z.infer<typeof MailboxSchema>;
export type MailboxWithToken = z.infer<typeof MailboxWithTokenSchema>;
export type MailboxTest = z.infer<typeof MailboxTestSchema>;
export type MailLogEntry = z.infer<typeof MailLogEntrySchema>;

/** What the settings form sends; the password is write-only (absent: keep the stored one). */
export interface MailboxFields {
  address?: string;
  imap?: {
    host?: string;
    port?: number;
    tls?: boolean;
    username?: string;
    password?: string;
    folder?: string;
    imported_folder?: string;
  };
  intake_column?: number | null;
  default_priority_id?: number | null;
  accept_from?: Mailbox['accept_from'];
  is_active?: boolean;
}

/** A project's mailboxes: list, add, edit, test, read the delivery log. */
export function mailboxCalls(call: Call) {
  return {
    mailboxes: (project: number) => call<Page<Mailbox>>('GET', `/projects/${project}/mailboxes/?page_size=100`),
    /** The answer carries the push token, shown this once. */
    createMailbox: (project: number, fields: MailboxFields) =>
      call<MailboxWithToken>('POST', `/projects/${project}/mailboxes/`, fields),
    patchMailbox: (id: number, fields: MailboxFields) => call<Mailbox>('PATCH', `/mailboxes/${id}/`, fields),
    deleteMailbox: (id: number) => call<void>('DELETE', `/mailboxes/${id}/`),
    /** Logs in and counts the folder; a refusal is an ApiError with the IMAP server's words. */
    testMailbox: (id: number) => call<MailboxTest>('POST', `/mailboxes/${id}/test/`),
    mailLog: (id: number) => call<Page<MailLogEntry>>('GET', `/mailboxes/${id}/log/?page_size=50`),
  };
}
