import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { projects } from './projects.ts';

export const deliveryStatus = pgEnum('delivery_status', ['pending', 'succeeded', 'failed']);

export const webhooks = pgTable(
  'webhooks',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    secret: text('secret').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('webhooks_project_idx').on(t.projectId)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** The Standard Webhooks `webhook-id`, the same on every attempt of one delivery. */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').notNull(),
    attempt: integer('attempt').notNull().default(0),
    status: deliveryStatus('status').notNull().default('pending'),
    responseStatus: integer('response_status'),
    responseSnippet: text('response_snippet'),
    durationMs: integer('duration_ms'),
    error: text('error'),
    nextAttemptAt: ts('next_attempt_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // The delivery log of one endpoint, newest first.
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
    // Retention clean-up.
    index('webhook_deliveries_created_idx').on(t.createdAt),
  ],
);
