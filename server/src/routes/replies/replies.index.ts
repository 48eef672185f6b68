import { createRouter } from '../create-router.ts';
import * as h from './replies.handlers.ts';
import * as r from './replies.routes.ts';

export const repliesRouter = createRouter()
  .openapi(r.listReplies, h.listReplies)
  .openapi(r.createReply, h.createReply)
  .openapi(r.patchReply, h.patchReply)
  .openapi(r.deleteReply, h.deleteReply);
