import { z } from '@hono/zod-openapi';

export const MAIL_ACCEPT_FROM = ['contacts', 'company_domains', 'anyone'] as const;
export const MAIL_OUTCOMES = ['imported', 'appended', 'ignored', 'refused'] as const;

export const MailboxSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    address: z.string().openapi({ description: 'The address clients write to, e.g. support@acme.example' }),
    imap: z.object({
      host: z.string(),
      port: z.number().int(),
      tls: z.boolean(),
      username: z.string(),
      folder: z.string().openapi({ description: 'Where new mail is read from (INBOX)' }),
      imported_folder: z.string().openapi({ description: 'Where imported mail is moved (Laneway/Imported)' }),
    }),
    intake_column: z.number().int().nullable().openapi({ description: "New tickets' column; null: the first" }),
    default_priority_id: z.number().int().nullable(),
    accept_from: z.enum(MAIL_ACCEPT_FROM).openapi({
      description:
        'Who may open tickets: known contacts, senders from a company domain, or anyone (replies are matched either way)',
    }),
    is_active: z.boolean(),
    last_polled_at: z.string().nullable(),
    last_error: z.string().nullable().openapi({ description: "The IMAP server's last error, if the last poll failed" }),
    created_at: z.string(),
  })
  .openapi('Mailbox');

export const MailboxWithTokenSchema = MailboxSchema.extend({
  inbound_token: z.string().openapi({
    description: 'The token of `POST /api/inbound/email/{token}` for providers that push mail: shown this once',
  }),
}).openapi('MailboxWithToken');

export const MailboxTestSchema = z
  .object({ ok: z.literal(true), message_count: z.number().int() })
  .openapi('MailboxTest');

export const MailLogEntrySchema = z
  .object({
    id: z.number().int(),
    mailbox: z.number().int(),
    message_id: z.string(),
    outcome: z.enum(MAIL_OUTCOMES),
    reason: z.string(),
    sender: z.string(),
    subject: z.string(),
    ticket: z.number().int().nullable(),
    created_at: z.string(),
  })
  .openapi('MailLogEntry');

export type Mailbox = z.infer<typeof MailboxSchema>;
export type MailboxWithToken = z.infer<typeof MailboxWithTokenSchema>;
export type MailLogEntry = z.infer<typeof MailLogEntrySchema>;
export type MailAcceptFrom = (typeof MAIL_ACCEPT_FROM)[number];
