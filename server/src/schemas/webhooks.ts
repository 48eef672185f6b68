import { z } from '@hono/zod-openapi';

export const WebhookSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    url: z.string(),
    events: z.array(z.string()).openapi({ description: 'Event types sent; empty: every type' }),
    is_active: z.boolean(),
    consecutive_failures: z.number().int(),
    disabled_reason: z
      .string()
      .nullable()
      .openapi({ description: 'Why the endpoint was turned off automatically (20 failures in a row)' }),
    created_at: z.string(),
  })
  .openapi('Webhook');

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'The `whsec_…` signing secret: shown in this answer only' }),
}).openapi('WebhookWithSecret');

export const DeliverySchema = z
  .object({
    id: z.number().int(),
    webhook: z.number().int(),
    message_id: z.string().openapi({ description: 'The `webhook-id` header: the same on every attempt of a message' }),
    event_type: z.string(),
    attempt: z.number().int().openapi({ description: '1 for the first attempt of a message, then 2, 3, …' }),
    status: z.enum(['pending', 'succeeded', 'failed']),
    response_status: z.number().int().nullable(),
    duration_ms: z.number().int().nullable(),
    error: z.string().nullable(),
    response_snippet: z.string().nullable().openapi({ description: 'The start of the response body' }),
    payload: z.unknown().openapi({ description: 'The JSON body sent: `{type, timestamp, data}`' }),
    next_attempt_at: z
      .string()
      .nullable()
      .openapi({ description: 'When this attempt is (pending) or was (finished) due' }),
    created_at: z.string(),
  })
  .openapi('WebhookDelivery');

export type Webhook = z.infer<typeof WebhookSchema>;
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
