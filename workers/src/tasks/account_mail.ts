/**
 * `account_mail`: a password-reset link, an invitation (or its notice to an existing account), a
 * "2FA was turned off" notice, a "new sign-in from a new device" notice. Queued
 * in the transaction of the change (server/src/services/account-mail.ts), so a failing SMTP
 * server is retried by graphile-worker and nothing is lost. The link arrives sealed under the
 * instance key. Without SMTP_URL the message and its link are logged at `warn` instead, so a
 * small instance can still pass the link on.
 */
import { z } from 'zod';
import { instanceKey } from '../../../server/src/auth/secret-key.ts';
import { unseal } from '../../../server/src/auth/totp.ts';
import { ACCOUNT_MAIL_KINDS } from '../../../server/src/services/account-mail.ts';
import { readBranding } from '../../../server/src/services/settings.ts';
import { headerText, mailTransport, renderAccountMail } from '../mail.ts';
import { defineTask } from '../task.ts';

export const accountMail = defineTask(
  z
    .object({
      kind: z.enum(ACCOUNT_MAIL_KINDS),
      to: z.string().min(3),
      name: z.string(),
      sealed_link: z.string().nullable(),
      data: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
  async (payload, { deps, log }) => {
    const { db, config } = deps;
    const key = await instanceKey(config, 'mail');
    const link = payload.sealed_link
      ? new TextDecoder().decode(unseal(key, Buffer.from(payload.sealed_link, 'base64')))
      : null;
    const { site_name } = await readBranding(db);
    const mail = renderAccountMail(payload.kind, {
      site: site_name,
      name: payload.name,
      link,
      data: payload.data ?? {},
    });
    if (!config.SMTP_URL) {
      log.warn({ to: payload.to, subject: mail.subject, link }, 'SMTP_URL is not set: account email not sent');
      return;
    }
    const transport = await mailTransport(config.SMTP_URL);
    await transport.sendMail({
      from: config.MAIL_FROM,
      to: { name: headerText(payload.name, 100), address: payload.to },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  },
);
