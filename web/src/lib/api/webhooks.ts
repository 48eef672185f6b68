import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Delivery, NewWebhook, Page, Webhook, WebhookPatch, WebhookWithSecret } from './types.ts';

/** A project's webhooks and their delivery log (`/webhooks/…`). */
export function webhookCalls(call: Call) {
  return {
    webhooks: (project: number) => call<Page<Webhook>>('GET', `/webhooks/${query({ project, page_size: 200 })}`),
    createWebhook: (project: number, fields: Omit<NewWebhook, 'project'>) =>
      call<WebhookWithSecret>('POST', '/webhooks/', { project, ...fields }),
    patchWebhook: (id: number, fields: WebhookPatch) => call<Webhook>('PATCH', `/webhooks/${id}/`, fields),
    deleteWebhook: (id: number) => call<void>('DELETE', `/webhooks/${id}/`),
    rotateWebhookSecret: (id: number) => call<WebhookWithSecret>('POST', `/webhooks/${id}/rotate/`),
    pingWebhook: (id: number) => call<Delivery>('POST', `/webhooks/${id}/ping/`),
    deliveries: (id: number, page = 1) =>
      call<Page<Delivery>>('GET', `/webhooks/${id}/deliveries/${query({ page, page_size: 50 })}`),
    redeliver: (deliveryId: number) => call<Delivery>('POST', `/webhooks/deliveries/${deliveryId}/redeliver/`),
  };
}
