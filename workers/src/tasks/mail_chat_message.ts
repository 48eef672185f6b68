/**
 * `mail_chat_message` (queued in a staff chat message's transaction): mails the message to the
 * ticket's contact, threaded, with a reply address that brings the answer back into the room.
 */
import { z } from 'zod';
import { composeChatMail } from '../../../server/src/services/mail-outbound.ts';
import { mailTransport } from '../mail.ts';
import { defineTask } from '../task.ts';

export const mailChatMessage = defineTask(
  z.object({ message: z.number().int().min(1) }).loose(),
  async (payload, { deps, log }) => {
    const smtpUrl = deps.config.SMTP_URL;
    if (!smtpUrl) {
      log.warn({ message: payload.message }, 'no SMTP_URL: a chat message was not mailed to its contact');
      return;
    }
    const mail = await composeChatMail(deps.db, deps.secrets, payload.message);
    if (!mail) return;
    const transport = await mailTransport(smtpUrl);
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      replyTo: mail.replyTo,
      subject: mail.subject,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      text: mail.text,
      headers: mail.headers,
    });
  },
);
