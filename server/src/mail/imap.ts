/**
 * IMAP connections of mailboxes (SPEC §13), on imapflow. Used by the "test connection" route
 * and by the intake task; both want the same options and the same readable errors.
 */
import type { ImapFlow } from 'imapflow';

/** What an IMAP connection needs, the password already decrypted. */
export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

/** Fail a dead or silent server within this long, so a request or a poll never hangs. */
const TIMEOUT_MS = 15_000;

/** A connected, logged-in client; the caller logs it out. Throws `ImapError` on failure. */
export async function connectImap(settings: ImapSettings): Promise<ImapFlow> {
  // Loaded on first use, not at start-up: imapflow and its dependencies are ~100 modules that
  // an install without mailboxes never needs (decision 0059).
  const imapflow = await import('imapflow');
  const client = new imapflow.ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.tls,
    auth: { user: settings.username, pass: settings.password },
    logger: false,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 5 * 60_000,
    // Without TLS the server may still offer STARTTLS; a self-signed test server would then fail.
    doSTARTTLS: settings.tls ? undefined : false,
  });
  // imapflow emits 'error' on socket failures after connect; unhandled it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.close();
    throw new ImapError(describeImapError(error));
  }
}

/** An IMAP failure with the server's own words as its message. */
export class ImapError extends Error {}

/**
 * The most useful words of an imapflow error: the server's response text when it gave one
 * (`[AUTHENTICATIONFAILED] Authentication failed.`), else the socket's (`connect ECONNREFUSED`).
 */
export function describeImapError(error: unknown): string {
  const e = error as { responseText?: unknown; message?: unknown; code?: unknown };
  const text = [e.responseText, e.message].find((v): v is string => typeof v === 'string' && v !== '') ?? String(error);
  return typeof e.code === 'string' && !text.includes(e.code) ? `${text} (${e.code})` : text;
}

/**
 * A `/`-separated folder path in the server's own hierarchy delimiter (Maildir's is `.`),
 * taken from the server, never assumed.
 */
export async function serverPath(client: ImapFlow, folder: string): Promise<string> {
  const parts = folder.split('/').filter(Boolean);
  if (parts.length <= 1) return folder;
  const listed = await client.list();
  const delimiter = listed.find((m) => m.delimiter)?.delimiter ?? '/';
  return parts.join(delimiter);
}

/** Logs in and counts the messages in `folder`: the "test connection" of a mailbox. */
export async function probeMailbox(settings: ImapSettings, folder: string): Promise<number> {
  const client = await connectImap(settings);
  try {
    const status = await client.status(await serverPath(client, folder), { messages: true });
    if (!status) throw new ImapError(`The folder ${folder} cannot be read`);
    return status.messages ?? 0;
  } catch (error) {
    throw error instanceof ImapError ? error : new ImapError(describeImapError(error));
  } finally {
    await client.logout().catch(() => client.close());
  }
}
