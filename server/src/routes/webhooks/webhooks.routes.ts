import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { WEBHOOK_EVENT_TYPES } from '../../realtime/events.ts';
import { DeliverySchema, WebhookSchema, WebhookWithSecretSchema } from '../../schemas/webhooks.ts';

const Url = z.string().min(1).max(2000).openapi({ description: 'http(s) URL; private addresses are refused' });
const Events = z
  .array(
    z.enum(WEBHOOK_EVENT_TYPES, {
      error: (issue) => `Not an event type: ${String(issue.input)}; one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    }),
  )
  .max(WEBHOOK_EVENT_TYPES.length)
  .openapi({ description: 'Event types to send, e.g. ["ticket.created", "ticket.moved"]; empty: every type' });

export const listWebhooks = createRoute({
  method: 'get',
  path: '/webhooks',
  tags: ['webhooks'],
  summary: "A project's webhooks (superadmin); secrets are never listed",
  request: { query: PageQuery.extend({ project: Id }) },
  responses: { 200: json(paginated(WebhookSchema, 'Webhooks'), 'A page of webhooks'), ...errors(400, 401, 403, 404) },
});

export const createWebhook = createRoute({
  method: 'post',
  path: '/webhooks',
  tags: ['webhooks'],
  summary: 'Add a webhook (superadmin); the answer carries its secret, shown this once',
  request: {
    body: jsonBody(
      z
        .object({ project: Id, url: Url, events: Events.optional(), is_active: z.boolean().optional() })
        .strict()
        .openapi('NewWebhook'),
    ),
  },
  responses: { 201: json(WebhookWithSecretSchema, 'Created'), ...errors(400, 401, 403, 404, 409) },
});

export const getWebhook = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  tags: ['webhooks'],
  request: { params: IdParam },
  responses: { 200: json(WebhookSchema, 'The webhook'), ...errors(400, 401, 403, 404) },
});

export const patchWebhook = createRoute({
  method: 'patch',
  path: '/webhooks/{id}',
  tags: ['webhooks'],
  summary: 'Change a webhook; `is_active: true` re-enables one that was disabled and clears its failures',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({ url: Url.optional(), events: Events.optional(), is_active: z.boolean().optional() })
        .strict()
        .openapi('WebhookPatch'),
    ),
  },
  responses: { 200: json(WebhookSchema, 'Updated'), ...errors(400, 401, 403, 404) },
});

export const deleteWebhook = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags: ['webhooks'],
  summary: 'Delete a webhook and its delivery log',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
});

export const rotateSecret = createRoute({
  method: 'post',
  path: '/webhooks/{id}/rotate',
  tags: ['webhooks'],
  summary: 'Replace the signing secret; the answer carries the new one, shown this once',
  request: { params: IdParam },
  responses: { 200: json(WebhookWithSecretSchema, 'Rotated'), ...errors(400, 401, 403, 404) },
});

export const listDeliveries = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags: ['webhooks'],
  summary: "A webhook's delivery attempts, newest first (one row per attempt; group them by message_id)",
  request: {
    params: IdParam,
    query: PageQuery.extend({
      message_id: z
        .string()
        .max(100)
        .regex(/^[\w.-]+$/, 'A message id such as msg_…')
        .optional()
        .openapi({ description: 'Only the attempts of this message' }),
      status: z.enum(['pending', 'succeeded', 'failed']).optional(),
    }),
  },
  responses: {
    200: json(paginated(DeliverySchema, 'WebhookDeliveries'), 'A page of attempts'),
    ...errors(400, 401, 403, 404),
  },
});

export const pingWebhook = createRoute({
  method: 'post',
  path: '/webhooks/{id}/ping',
  tags: ['webhooks'],
  summary: 'Queue a `webhook.ping` message to the endpoint (not retried)',
  request: { params: IdParam },
  responses: { 202: json(DeliverySchema, 'Queued: the pending attempt'), ...errors(400, 401, 403, 404, 409) },
});

export const redeliver = createRoute({
  method: 'post',
  path: '/webhooks/deliveries/{id}/redeliver',
  tags: ['webhooks'],
  summary: "Send an attempt's message again now, with the same webhook-id and body",
  request: { params: IdParam },
  responses: { 202: json(DeliverySchema, 'Queued: the pending attempt'), ...errors(400, 401, 403, 404, 409) },
});
