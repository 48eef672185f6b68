import { createRouter } from '../create-router.ts';
import * as h from './mailboxes.handlers.ts';
import * as r from './mailboxes.routes.ts';

export const mailboxesRouter = createRouter()
  .openapi(r.listMailboxes, h.listMailboxes)
  .openapi(r.createMailbox, h.createMailbox)
  .openapi(r.patchMailbox, h.patchMailbox)
  .openapi(r.deleteMailbox, h.deleteMailbox)
  .openapi(r.testMailbox, h.testMailbox)
  .openapi(r.listMailLog, h.listMailLog);
