/**
 * `deliver_webhook`: sends one attempt of a webhook message and records what happened. The
 * outbox trigger (migration 0003), a retry, a redelivery or a ping queued the attempt row; this
 * task sends it once and hands the outcome to `recordAttempt`, which stores it and queues the
 * next attempt when one is due (our schedule, not graphile-worker's: docs/decisions/0010).
 *
 * A refused, failed or timed-out delivery is an outcome, not an error: the task returns. It
 * throws only when recording fails (the database is away), and graphile-worker runs it again;
 * the attempt is then still pending, so it is sent again with the same `webhook-id`.
 */
import type { Agent } from 'undici';
import { z } from 'zod';
import { deliveryBody, loadAttempt, recordAttempt, skipAttempt } from '../../../server/src/services/webhooks.ts';
import { defineTask } from '../task.ts';
import { deliver } from '../webhooks/deliver.ts';
import { createGuardedDispatcher } from '../webhooks/guarded-dispatcher.ts';

/**
 * One guarded dispatcher per process (per WEBHOOK_ALLOW_PRIVATE setting: a process normally
 * has one), so kept-alive connections to a receiver are shared by every delivery.
 */
const dispatchers = new Map<boolean, Agent>();

function dispatcherFor(allowPrivate: boolean): Agent {
  let dispatcher = dispatchers.get(allowPrivate);
  if (!dispatcher) {
    dispatcher = createGuardedDispatcher({ allowPrivate });
    dispatchers.set(allowPrivate, dispatcher);
  }
  return dispatcher;
}

/** Closes the delivery connections; the next delivery opens new ones. For shutdown and tests. */
export async function closeDeliveryDispatchers(): Promise<void> {
  const open = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.all(open.map((d) => d.close()));
}

export const deliverWebhook = defineTask(
  z.object({ delivery: z.number().int().positive() }),
  async ({ delivery }, { deps, log }) => {
    const { db, config } = deps;
    const loaded = await loadAttempt(db, delivery);
    // Gone with its webhook, or already recorded (a re-run after a crash, or a redelivery).
    if (!loaded || loaded.attempt.status !== 'pending') return;
    const { attempt, webhook } = loaded;
    if (!webhook.isActive) {
      await skipAttempt(db, attempt.id, 'endpoint disabled');
      return;
    }
    const result = await deliver({
      url: webhook.url,
      secret: webhook.secret,
      webhookId: attempt.messageId,
      body: deliveryBody(attempt.payload),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      dispatcher: dispatcherFor(config.WEBHOOK_ALLOW_PRIVATE),
    });
    const recorded = await recordAttempt(
      db,
      { maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, retryBaseMs: config.WEBHOOK_RETRY_BASE_MS },
      attempt,
      result,
    );
    const facts = {
      webhook: webhook.id,
      delivery: attempt.id,
      message: attempt.messageId,
      attempt: attempt.attempt,
      status: result.status,
      ms: result.durationMs,
    };
    deps.metrics.webhookAttempts.inc({ outcome: result.ok ? 'succeeded' : 'failed' });
    if (result.ok) log.debug(facts, 'webhook delivered');
    else log.info({ ...facts, error: result.error, retry: recorded.retry?.id ?? null }, 'webhook delivery failed');
    if (recorded.disabledReason) log.warn({ webhook: webhook.id, reason: recorded.disabledReason }, 'webhook disabled');
  },
);
