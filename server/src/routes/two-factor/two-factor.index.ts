import { createRouter } from '../create-router.ts';
import * as h from './two-factor.handlers.ts';
import * as r from './two-factor.routes.ts';

export const twoFactorRouter = createRouter()
  .openapi(r.setupTwoFactor, h.setupTwoFactor)
  .openapi(r.enableTwoFactor, h.enableTwoFactor)
  .openapi(r.disableTwoFactor, h.disableTwoFactor)
  .openapi(r.regenerateRecoveryCodes, h.regenerateRecoveryCodes)
  .openapi(r.resetTwoFactor, h.resetTwoFactor);
