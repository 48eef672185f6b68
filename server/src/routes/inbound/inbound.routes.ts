import { createRoute, z } from '@hono/zod-openapi';
import { errors, json } from '../../lib/openapi.ts';

export const InboundResultSchema = z
  .object({
    outcome: z.enum(['imported', 'appended', 'ignored', 'refused', 'duplicate']),
    reason: z.string(),
    message_id: z.string(),
    ticket: z.number().int().nullable().openapi({ description: 'The new ticket (imported)' }),
  })
  .openapi('InboundMailResult');

export const pushMail = createRoute({
  method: 'post',
  path: '/api/inbound/email/{token}',
  tags: ['mailboxes'],
  summary:
    'A raw RFC 5322 message for the mailbox whose push token this is (providers that push mail); it goes the way of polled mail, and the answer says what became of it',
  security: [],
  request: {
    params: z.object({
      token: z
        .string()
        .min(16)
        .max(100)
        .regex(/^[\w-]+$/, 'A mailbox push token')
        .openapi({ description: 'The `inbound_token` shown when the mailbox was created' }),
    }),
    body: {
      required: true,
      description: 'The message as received (message/rfc822), at most MAIL_MAX_MB',
      content: { 'message/rfc822': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: { 202: json(InboundResultSchema, 'Received'), ...errors(400, 404, 413, 415) },
});
