import { createRouter } from '../create-router.ts';
import * as h from './password-reset.handlers.ts';
import * as r from './password-reset.routes.ts';

export const passwordResetRouter = createRouter()
  .openapi(r.requestReset, h.requestReset)
  .openapi(r.confirmReset, h.confirmReset);
