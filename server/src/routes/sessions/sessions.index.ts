import { createRouter } from '../create-router.ts';
import * as h from './sessions.handlers.ts';
import * as r from './sessions.routes.ts';

export const sessionsRouter = createRouter()
  .openapi(r.listSessions, h.listSessions)
  .openapi(r.endSession, h.endSession);
