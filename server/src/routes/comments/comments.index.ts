import { createRouter } from '../create-router.ts';
import * as h from './comments.handlers.ts';
import * as r from './comments.routes.ts';

export const commentsRouter = createRouter()
  .openapi(r.listComments, h.listComments)
  .openapi(r.createComment, h.createComment)
  .openapi(r.patchComment, h.patchComment)
  .openapi(r.deleteComment, h.deleteComment);
