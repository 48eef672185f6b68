import { createRouter } from '../create-router.ts';
import * as h from './sla.handlers.ts';
import * as r from './sla.routes.ts';

export const slaRouter = createRouter()
  .openapi(r.getSla, h.getSla)
  .openapi(r.addSlaTarget, h.addSlaTarget)
  .openapi(r.deleteSlaTarget, h.deleteSlaTarget)
  .openapi(r.putBusinessHours, h.putBusinessHours);
