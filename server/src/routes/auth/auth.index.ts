import { createRouter } from '../create-router.ts';
import * as h from './auth.handlers.ts';
import * as r from './auth.routes.ts';

export const authRouter = createRouter()
  .openapi(r.setup, h.setupHandler)
  .openapi(r.register, h.registerHandler)
  .openapi(r.login, h.loginHandler)
  .openapi(r.loginSecondStep, h.loginSecondStepHandler)
  .openapi(r.refresh, h.refreshHandler)
  .openapi(r.logout, h.logoutHandler)
  .openapi(r.logoutAll, h.logoutAllHandler)
  .openapi(r.me, h.meHandler)
  .openapi(r.patchMe, h.patchMeHandler)
  .openapi(r.changePassword, h.changePasswordHandler);
