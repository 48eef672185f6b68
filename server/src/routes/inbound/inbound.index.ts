import { bodyLimit } from 'hono/body-limit';
import { createRouter } from '../create-router.ts';
import { AppError } from '../../lib/errors.ts';
import * as h from './inbound.handlers.ts';
import * as r from './inbound.routes.ts';

/** Outside /api/tickets: no session, no CSRF check; the mailbox's own token is the credential. */
export const inboundRouter = createRouter();
inboundRouter.use('/api/inbound/email/*', (c, next) =>
  bodyLimit({
    maxSize: c.var.deps.config.MAIL_MAX_MB * 1024 * 1024,
    onError: () => {
      throw new AppError('payload_too_large', `A message may be at most ${c.var.deps.config.MAIL_MAX_MB} MB`);
    },
  })(c, next),
);
inboundRouter.openapi(r.pushMail, h.pushMail);
