import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { RefId } from '../../schemas/companies.ts';
import {
  MAIL_ACCEPT_FROM,
  MailboxSchema,
  MailboxTestSchema,
  MailboxWithTokenSchema,
  MailLogEntrySchema,
} from '../../schemas/mailboxes.ts';

const Address = z.string().trim().toLowerCase().max(254).email('An email address such as support@acme.example');
const Host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'A host name or IP address');
/** A folder path, `/`-separated whatever the server's delimiter. */
const Folder = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\0\r\n*%"\\]+$/, 'A folder name without * % " \\ or line breaks');
const Text = (max: number) => z.string().min(1).max(max);

const ImapBody = z
  .object({
    host: Host,
    port: z.number().int().min(1).max(65535).optional().openapi({ description: '993 with TLS, 143 without' }),
    tls: z.boolean().optional().openapi({ description: 'Implicit TLS (default true)' }),
    username: Text(320),
    password: Text(1000).openapi({ description: 'Write-only: stored encrypted, never returned' }),
    folder: Folder.optional().openapi({ description: 'INBOX by default' }),
    imported_folder: Folder.optional().openapi({ description: 'Laneway/Imported by default' }),
  })
  .strict();

const Common = {
  intake_column: RefId.nullable().optional(),
  default_priority_id: RefId.nullable().optional(),
  accept_from: z.enum(MAIL_ACCEPT_FROM).optional(),
  is_active: z.boolean().optional(),
};

const NewMailboxBody = z
  .object({ address: Address, imap: ImapBody, ...Common })
  .strict()
  .openapi('NewMailbox');
const MailboxPatchBody = z
  .object({ address: Address.optional(), imap: ImapBody.partial().strict().optional(), ...Common })
  .strict()
  .openapi('MailboxPatch');

const ManagerErrors = errors(400, 401, 403, 404);

export const listMailboxes = createRoute({
  method: 'get',
  path: '/projects/{id}/mailboxes',
  tags: ['mailboxes'],
  summary: "A project's mailboxes (superadmin); passwords are never returned",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(MailboxSchema, 'Mailboxes'), 'A page of mailboxes'), ...ManagerErrors },
});

export const createMailbox = createRoute({
  method: 'post',
  path: '/projects/{id}/mailboxes',
  tags: ['mailboxes'],
  summary: "Connect a mailbox (superadmin); the answer carries the push endpoint's token, shown this once",
  request: { params: IdParam, body: jsonBody(NewMailboxBody) },
  responses: { 201: json(MailboxWithTokenSchema, 'Created'), ...errors(400, 401, 403, 404, 409) },
});

export const patchMailbox = createRoute({
  method: 'patch',
  path: '/mailboxes/{id}',
  tags: ['mailboxes'],
  summary: 'Change a mailbox; a password given replaces the stored one',
  request: { params: IdParam, body: jsonBody(MailboxPatchBody) },
  responses: { 200: json(MailboxSchema, 'Updated'), ...ManagerErrors },
});

export const deleteMailbox = createRoute({
  method: 'delete',
  path: '/mailboxes/{id}',
  tags: ['mailboxes'],
  summary: 'Disconnect a mailbox and drop its log; its tickets stay',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...ManagerErrors },
});

export const testMailbox = createRoute({
  method: 'post',
  path: '/mailboxes/{id}/test',
  tags: ['mailboxes'],
  summary: "Log in and count the folder's messages; a refusal is a 422 with the server's own message",
  request: { params: IdParam },
  responses: { 200: json(MailboxTestSchema, 'Connected'), ...errors(400, 401, 403, 404, 422) },
});

export const listMailLog = createRoute({
  method: 'get',
  path: '/mailboxes/{id}/log',
  tags: ['mailboxes'],
  summary: 'Every message the mailbox saw, newest first: imported, appended, ignored or refused, and why',
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(MailLogEntrySchema, 'MailLog'), 'A page of the log'), ...ManagerErrors },
});
