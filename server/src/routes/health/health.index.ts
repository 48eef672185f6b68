import { createRouter } from '../create-router.ts';
import { dbCheckHandler, healthHandler, readyHandler } from './health.handlers.ts';
import { dbCheck, health, ready } from './health.routes.ts';

export const healthRouter = createRouter()
  .openapi(health, healthHandler)
  .openapi(ready, readyHandler)
  .openapi(dbCheck, dbCheckHandler);
