import { createRouter } from '../create-router.ts';
import * as h from './oidc.handlers.ts';
import * as r from './oidc.routes.ts';

export const oidcRouter = createRouter()
  .openapi(r.oidcLogin, h.loginHandler)
  .openapi(r.oidcCallback, h.callbackHandler)
  .openapi(r.oidcLink, h.linkHandler)
  .openapi(r.listIdentities, h.listIdentitiesHandler)
  .openapi(r.unlinkIdentity, h.unlinkIdentityHandler);
