import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { intakeLimits, receivePushedMail } from '../../services/mail-intake.ts';
import type * as r from './inbound.routes.ts';

export const pushMail: RouteHandler<typeof r.pushMail, AppEnv> = async (c) => {
  const { db, config, secrets } = c.var.deps;
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'message/rfc822') throw new AppError('unsupported_media_type', 'Send the message as message/rfc822');
  const raw = Buffer.from(await c.req.arrayBuffer());
  const result = await receivePushedMail(db, intakeLimits(config, secrets), c.req.valid('param').token, raw);
  return c.json(
    { outcome: result.outcome, reason: result.reason, message_id: result.messageId, ticket: result.ticket?.id ?? null },
    202,
  );
};
