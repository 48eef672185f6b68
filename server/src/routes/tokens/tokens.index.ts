import { createRouter } from '../create-router.ts';
import * as h from './tokens.handlers.ts';
import * as r from './tokens.routes.ts';

export const tokensRouter = createRouter()
  .openapi(r.listTokens, h.listTokens)
  .openapi(r.createToken, h.createToken)
  .openapi(r.revokeToken, h.revokeToken);
