/**
 * Account mail (reset links, invitations) goes out through the `account_mail` job, added in the
 * transaction of the change, so a failed SMTP server loses nothing. The link carries a secret:
 * it is sealed under the instance key in the job's payload, never stored readable.
 */
import type { Executor } from '@laneway/db/client';
import { TASKS } from '@laneway/db/tasks';
import { seal } from '../auth/totp.ts';
import { enqueue } from './jobs.ts';

export const ACCOUNT_MAIL_KINDS = [
  'password_reset',
  'invitation',
  'invitation_applied',
  'two_factor_disabled',
  'new_device',
] as const;
export type AccountMailKind = (typeof ACCOUNT_MAIL_KINDS)[number];

export interface AccountMail {
  kind: AccountMailKind;
  to: string;
  name: string;
  /** The link with its secret, sealed before it is stored. */
  link?: string;
  /** Extra words for the template (the inviter's name, say). */
  data?: Record<string, string>;
}

/** Queues one account email in the caller's transaction. */
export async function queueAccountMail(db: Executor, key: Buffer, mail: AccountMail): Promise<void> {
  const { link, ...rest } = mail;
  await enqueue(
    db,
    TASKS.accountMail,
    { ...rest, sealed_link: link ? Buffer.from(seal(key, new TextEncoder().encode(link))).toString('base64') : null },
    { maxAttempts: 10 },
  );
}
