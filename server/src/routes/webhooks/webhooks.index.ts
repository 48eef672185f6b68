import { createRouter } from '../create-router.ts';
import * as h from './webhooks.handlers.ts';
import * as r from './webhooks.routes.ts';

export const webhooksRouter = createRouter()
  .openapi(r.listWebhooks, h.listWebhooks)
  .openapi(r.createWebhook, h.createWebhook)
  .openapi(r.redeliver, h.redeliver)
  .openapi(r.getWebhook, h.getWebhook)
  .openapi(r.patchWebhook, h.patchWebhook)
  .openapi(r.deleteWebhook, h.deleteWebhook)
  .openapi(r.rotateSecret, h.rotateSecret)
  .openapi(r.listDeliveries, h.listDeliveries)
  .openapi(r.pingWebhook, h.pingWebhook);
