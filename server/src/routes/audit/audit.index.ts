import { createRouter } from '../create-router.ts';
import * as h from './audit.handlers.ts';
import * as r from './audit.routes.ts';

export const auditRouter = createRouter().openapi(r.listAudit, h.listAudit);
