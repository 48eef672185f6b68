/**
 * Mailboxes (SPEC §13): IMAP accounts connected to a project, and the log of every message each
 * one saw. Only the instance superuser and the project's superadmins manage them; others who see
 * the project get a 403, the rest a 404. The IMAP password is stored as an AES-256-GCM box
 * (lib/secrets.ts) and never leaves the server; the push endpoint's token is stored as its
 * SHA-256 and shown once, at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Executor } from '@laneway/db/client';
import { columns, mailboxes, mailMessages, priorities } from '@laneway/db/schema';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import type { Secrets } from '../lib/secrets.ts';
import { ImapError, probeMailbox, type ImapSettings } from '../mail/imap.ts';
import type { MailAcceptFrom } from '../schemas/mailboxes.ts';
import { requireProjectManager } from './projects.ts';
import { transact } from './publish.ts';

export type MailboxRow = typeof mailboxes.$inferSelect;
export type MailMessageRow = typeof mailMessages.$inferSelect;

/** The secrets purpose of stored IMAP passwords. */
export const PASSWORD_PURPOSE = 'mailbox-password';
/** Mailboxes per project: each is polled every MAIL_POLL_SECONDS. */
export const MAX_MAILBOXES_PER_PROJECT = 10;

/** A mailbox as its managers see it: never the password, never the token. */
export function serializeMailbox(m: MailboxRow) {
  return {
    id: m.id,
    project: m.projectId,
    address: m.address,
    imap: {
      host: m.imapHost,
      port: m.imapPort,
      tls: m.imapTls,
      username: m.imapUsername,
      folder: m.imapFolder,
      imported_folder: m.importedFolder,
    },
    intake_column: m.intakeColumnId,
    default_priority_id: m.defaultPriorityId,
    accept_from: m.acceptFrom,
    is_active: m.isActive,
    last_polled_at: m.lastPolledAt?.toISOString() ?? null,
    last_error: m.lastError,
    created_at: m.createdAt.toISOString(),
  };
}
export type MailboxJson = ReturnType<typeof serializeMailbox>;

/** One line of a mailbox's delivery log. */
export function serializeMailMessage(m: MailMessageRow) {
  return {
    id: m.id,
    mailbox: m.mailboxId,
    message_id: m.messageId,
    outcome: m.outcome,
    reason: m.reason,
    sender: m.sender,
    subject: m.subject,
    ticket: m.ticketId,
    created_at: m.createdAt.toISOString(),
  };
}

/** SHA-256 of a push token, as stored and looked up. */
export const hashInboundToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A mailbox the actor may manage, or the 404 / 403 the policy gives. */
async function requireMailbox(db: Executor, actor: Actor, id: number): Promise<MailboxRow> {
  const [row] = await db.select().from(mailboxes).where(eq(mailboxes.id, id));
  if (!row) throw notFound();
  await requireProjectManager(db, actor, row.projectId, 'Only project superadmins manage mailboxes');
  return row;
}

/** The IMAP settings of a stored mailbox, its password decrypted. */
export function imapSettings(secrets: Secrets, m: MailboxRow): ImapSettings {
  return {
    host: m.imapHost,
    port: m.imapPort,
    tls: m.imapTls,
    username: m.imapUsername,
    password: secrets.decrypt(PASSWORD_PURPOSE, m.imapPassword),
  };
}

/** 400 unless the column is one of the project's and the priority exists. */
async function assertRefs(
  db: Executor,
  projectId: number,
  column: number | null | undefined,
  priority: number | null | undefined,
) {
  if (column != null) {
    const [row] = await db
      .select({ id: columns.id })
      .from(columns)
      .where(and(eq(columns.id, column), eq(columns.projectId, projectId)));
    if (!row) throw badRequest('Invalid input', { intake_column: ['Not a column of this project'] });
  }
  if (priority != null) {
    const [row] = await db.select({ id: priorities.id }).from(priorities).where(eq(priorities.id, priority));
    if (!row) throw badRequest('Invalid input', { default_priority_id: ['No such priority'] });
  }
}

export interface ImapInput {
  host: string;
  port?: number | undefined;
  tls?: boolean | undefined;
  username: string;
  password: string;
  folder?: string | undefined;
  imported_folder?: string | undefined;
}

export interface NewMailbox {
  address: string;
  imap: ImapInput;
  intake_column?: number | null | undefined;
  default_priority_id?: number | null | undefined;
  accept_from?: MailAcceptFrom | undefined;
  is_active?: boolean | undefined;
}

export async function listMailboxes(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  const access = await requireProjectManager(db, actor, projectId, 'Only project superadmins manage mailboxes');
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ box: mailboxes, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(mailboxes)
    .where(eq(mailboxes.projectId, access.projectId))
    .orderBy(mailboxes.id)
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeMailbox(r.box)) };
}

/** Connects a mailbox; the answer carries the push endpoint's token, shown this once. */
export async function createMailbox(db: Db, secrets: Secrets, actor: Actor, projectId: number, input: NewMailbox) {
  const access = await requireProjectManager(db, actor, projectId, 'Only project superadmins manage mailboxes');
  const token = randomBytes(24).toString('base64url');
  return transact(db, async (tx) => {
    await assertRefs(tx, access.projectId, input.intake_column, input.default_priority_id);
    const [existing] = await tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(mailboxes)
      .where(eq(mailboxes.projectId, access.projectId));
    if ((existing?.n ?? 0) >= MAX_MAILBOXES_PER_PROJECT) {
      throw conflict(`A project has at most ${MAX_MAILBOXES_PER_PROJECT} mailboxes`);
    }
    const [row] = await tx
      .insert(mailboxes)
      .values({
        projectId: access.projectId,
        address: input.address,
        imapHost: input.imap.host,
        imapPort: input.imap.port ?? (input.imap.tls === false ? 143 : 993),
        imapTls: input.imap.tls ?? true,
        imapUsername: input.imap.username,
        imapPassword: secrets.encrypt(PASSWORD_PURPOSE, input.imap.password),
        imapFolder: input.imap.folder ?? 'INBOX',
        importedFolder: input.imap.imported_folder ?? 'Laneway/Imported',
        intakeColumnId: input.intake_column ?? null,
        defaultPriorityId: input.default_priority_id ?? null,
        acceptFrom: input.accept_from ?? 'anyone',
        isActive: input.is_active ?? true,
        inboundTokenHash: hashInboundToken(token),
      })
      .returning();
    return { ...serializeMailbox(row!), inbound_token: token };
  });
}

export interface MailboxPatch {
  address?: string | undefined;
  imap?: Partial<ImapInput> | undefined;
  intake_column?: number | null | undefined;
  default_priority_id?: number | null | undefined;
  accept_from?: MailAcceptFrom | undefined;
  is_active?: boolean | undefined;
}

/** Changes a mailbox; a password given replaces the stored one, an absent one keeps it. */
export async function updateMailbox(db: Db, secrets: Secrets, actor: Actor, id: number, patch: MailboxPatch) {
  const box = await requireMailbox(db, actor, id);
  return transact(db, async (tx) => {
    await assertRefs(tx, box.projectId, patch.intake_column, patch.default_priority_id);
    const values: Partial<typeof mailboxes.$inferInsert> = {};
    if (patch.address !== undefined) values.address = patch.address;
    const imap = patch.imap ?? {};
    if (imap.host !== undefined) values.imapHost = imap.host;
    if (imap.port !== undefined) values.imapPort = imap.port;
    if (imap.tls !== undefined) values.imapTls = imap.tls;
    if (imap.username !== undefined) values.imapUsername = imap.username;
    if (imap.password !== undefined) values.imapPassword = secrets.encrypt(PASSWORD_PURPOSE, imap.password);
    if (imap.folder !== undefined) values.imapFolder = imap.folder;
    if (imap.imported_folder !== undefined) values.importedFolder = imap.imported_folder;
    if (patch.intake_column !== undefined) values.intakeColumnId = patch.intake_column;
    if (patch.default_priority_id !== undefined) values.defaultPriorityId = patch.default_priority_id;
    if (patch.accept_from !== undefined) values.acceptFrom = patch.accept_from;
    if (patch.is_active !== undefined) values.isActive = patch.is_active;
    // New settings deserve a fresh verdict: the next poll says whether they work.
    if (Object.keys(values).length) values.lastError = null;
    const [row] = Object.keys(values).length
      ? await tx.update(mailboxes).set(values).where(eq(mailboxes.id, id)).returning()
      : await tx.select().from(mailboxes).where(eq(mailboxes.id, id));
    if (!row) throw notFound();
    return serializeMailbox(row);
  });
}

/** Disconnects a mailbox and drops its log; tickets it opened stay. */
export async function deleteMailbox(db: Db, actor: Actor, id: number): Promise<void> {
  await requireMailbox(db, actor, id);
  await db.delete(mailboxes).where(eq(mailboxes.id, id));
}

/**
 * Logs in with the stored settings and counts the messages in the folder. A refusal (wrong
 * password, unknown host, missing folder) is a 422 whose message is the server's own words.
 */
export async function testMailbox(db: Executor, secrets: Secrets, actor: Actor, id: number) {
  const box = await requireMailbox(db, actor, id);
  let settings: ImapSettings;
  try {
    settings = imapSettings(secrets, box);
  } catch {
    throw new AppError('unprocessable', 'The stored password cannot be read (was SECRET_KEY changed?): enter it again');
  }
  try {
    return { ok: true as const, message_count: await probeMailbox(settings, box.imapFolder) };
  } catch (error) {
    if (error instanceof ImapError) throw new AppError('unprocessable', error.message);
    throw error;
  }
}

/** The mailbox's delivery log, newest first. */
export async function listMailLog(db: Executor, actor: Actor, id: number, page: PageParams) {
  const box = await requireMailbox(db, actor, id);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: mailMessages, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(mailMessages)
    .where(eq(mailMessages.mailboxId, box.id))
    .orderBy(desc(mailMessages.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeMailMessage(r.row)) };
}
