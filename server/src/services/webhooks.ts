/**
 * Outgoing webhooks (SPEC §5, §7): a project's endpoints, and the log of what was sent to them.
 * Only the instance superuser and the project's superadmins manage them; for anyone else who
 * sees the project they are a 403, for the rest a 404.
 *
 * `webhook_deliveries` holds one row per attempt. The first attempt of a project event is
 * written by the outbox trigger (migration 0003) in the transaction of the change; the
 * `deliver_webhook` task sends it and records the outcome here (`recordAttempt`), adding the
 * next attempt row when a retry is due. All attempts of one message share its `message_id`,
 * sent as `webhook-id`, and its stored `payload`, so every attempt sends the same body.
 * Why one row per attempt and our own retry schedule: docs/decisions/0010.
 *
 * A webhook's URL, events and secret are for its managers only, so changes to them are kept
 * as activity rows but never sent as board events (every viewer of the board receives those).
 */
import { randomUUID } from 'node:crypto';
import dns, { type LookupAddress } from 'node:dns';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Executor } from '@laneway/db/client';
import { activity, projects, userRoles, users, webhookDeliveries, webhooks } from '@laneway/db/schema';
import { and, desc, eq, max, sql } from 'drizzle-orm';
import { generateSecret } from '../webhooks/sign.ts';
import { checkUrl, type Resolve } from '../webhooks/ssrf.ts';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { TASKS } from '@laneway/db/tasks';
import type { ProjectAccess } from '../policy/index.ts';
import type { ActivityOnlyMap } from '../realtime/events.ts';
import { enqueue } from './jobs.ts';
import { storeNotifications } from './notifications.ts';
import { requireProjectManager } from './projects.ts';
import { audit as recordAudit } from './audit.ts';
import { transact } from './publish.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type DeliveryStatus = DeliveryRow['status'];

/** The event type of a test delivery (`POST /webhooks/{id}/ping/`). */
export const PING_EVENT = 'webhook.ping';
/** This many failed attempts in a row, and an endpoint is disabled. */
export const DISABLE_AFTER_FAILURES = 20;
/** The longest wait between two attempts of one message. */
export const MAX_RETRY_DELAY_MS = 12 * 3600 * 1000;
/** Endpoints per project: every project event fans out to each of them. */
export const MAX_WEBHOOKS_PER_PROJECT = 20;

/** A webhook as its managers see it; the secret only ever leaves in `WebhookWithSecret`. */
export function serializeWebhook(w: WebhookRow) {
  return {
    id: w.id,
    project: w.projectId,
    url: w.url,
    events: w.events,
    is_active: w.isActive,
    consecutive_failures: w.consecutiveFailures,
    disabled_reason: w.disabledReason,
    created_at: w.createdAt.toISOString(),
  };
}
export type WebhookJson = ReturnType<typeof serializeWebhook>;
/** Create and rotate answers: the one time the secret is shown. */
export type WebhookWithSecret = WebhookJson & { secret: string };

/**
 * One delivery attempt. `next_attempt_at` is when the attempt is (or was) due: for a pending
 * row, when it will be sent; for a finished one, when it was sent, give or take queue latency.
 */
export function serializeDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    webhook: d.webhookId,
    message_id: d.messageId,
    event_type: d.eventType,
    attempt: d.attempt,
    status: d.status,
    response_status: d.responseStatus,
    duration_ms: d.durationMs,
    error: d.error,
    response_snippet: d.responseSnippet,
    payload: d.payload,
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}
export type DeliveryJson = ReturnType<typeof serializeDelivery>;

// ---------------------------------------------------------------------------------------------
// Access.

/** The project, if the actor may manage its webhooks: 404 if they cannot see it, else 403. */
async function manageableProject(db: Executor, actor: Actor, projectId: number): Promise<ProjectAccess> {
  return requireProjectManager(db, actor, projectId, 'Only project superadmins manage webhooks');
}

/** A webhook the actor may manage, or the 404 / 403 the policy gives. */
async function requireWebhook(db: Executor, actor: Actor, id: number): Promise<WebhookRow> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  if (!row) throw notFound();
  await manageableProject(db, actor, row.projectId);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Validation.

/** Whether private destinations may be configured (WEBHOOK_ALLOW_PRIVATE). */
export interface UrlPolicy {
  allowPrivate: boolean;
}

/** A name that takes longer than this to resolve is refused rather than holding the request. */
const DNS_TIMEOUT_MS = 5_000;

const resolveWithin: Resolve = async (hostname) => {
  const timer = new AbortController();
  try {
    return await Promise.race([
      dns.promises.lookup(hostname, { all: true, order: 'verbatim' }),
      sleep(DNS_TIMEOUT_MS, undefined, { signal: timer.signal }).then((): LookupAddress[] => {
        throw Object.assign(new Error(`DNS lookup of ${hostname} timed out`), { code: 'ETIMEOUT' });
      }),
    ]);
  } finally {
    timer.abort();
  }
};

/**
 * The URL as it will be called, or a 400 naming `url`: not http(s), credentials in it, or a
 * host resolving to a private address (unless allowed). Delivery checks again at connect time.
 */
async function deliverableUrl(input: string, policy: UrlPolicy): Promise<string> {
  const check = await checkUrl(input.trim(), { allowPrivate: policy.allowPrivate, resolve: resolveWithin });
  if (!check.ok) {
    // Say how to allow it where that is the instance's choice (issue 13 row 10).
    const hint = check.address ? '; set WEBHOOK_ALLOW_PRIVATE=true on the server to allow private destinations' : '';
    throw badRequest('This URL cannot receive webhooks', { url: [`The URL ${check.reason}${hint}`] });
  }
  return check.url.href;
}

/** Distinct event types, sorted, so equal subscriptions compare equal. */
function normalizeEvents(events: readonly string[]): string[] {
  return [...new Set(events)].sort();
}

/** A new Standard Webhooks message id, in the form the outbox trigger uses. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** Managers' changes to webhooks, for the project's activity (no board event: see above). */
async function audit<V extends keyof ActivityOnlyMap>(
  tx: Executor,
  actor: Actor,
  hook: WebhookRow,
  verb: V,
  data: Omit<ActivityOnlyMap[V], 'webhook'>,
) {
  const recorded = { webhook: hook.id, ...data } as ActivityOnlyMap[V];
  await tx
    .insert(activity)
    .values({ projectId: hook.projectId, ticketId: null, actorId: actor.id, verb, data: recorded });
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

export async function listWebhooks(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  const access = await manageableProject(db, actor, projectId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ hook: webhooks, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(webhooks)
    .where(eq(webhooks.projectId, access.projectId))
    .orderBy(webhooks.id)
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeWebhook(r.hook)) };
}

export async function getWebhook(db: Executor, actor: Actor, id: number): Promise<WebhookJson> {
  return serializeWebhook(await requireWebhook(db, actor, id));
}

export interface NewWebhook {
  project: number;
  url: string;
  events?: string[] | undefined;
  is_active?: boolean | undefined;
}

/** Creates an endpoint with a fresh `whsec_` secret, returned this once. */
export async function createWebhook(
  db: Db,
  actor: Actor,
  input: NewWebhook,
  policy: UrlPolicy,
): Promise<WebhookWithSecret> {
  const access = await manageableProject(db, actor, input.project);
  const url = await deliverableUrl(input.url, policy);
  return transact(db, async (tx) => {
    // The project row lock makes the count and the insert one step against concurrent creates;
    // NO KEY UPDATE leaves ticket inserts (which take KEY SHARE for their foreign key) alone.
    await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, access.projectId)).for('no key update');
    const [existing] = await tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(webhooks)
      .where(eq(webhooks.projectId, access.projectId));
    if ((existing?.n ?? 0) >= MAX_WEBHOOKS_PER_PROJECT) {
      throw conflict(`A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks`);
    }
    const [row] = await tx
      .insert(webhooks)
      .values({
        projectId: access.projectId,
        url,
        events: normalizeEvents(input.events ?? []),
        secret: generateSecret(),
        isActive: input.is_active ?? true,
      })
      .returning();
    const hook = row!;
    await audit(tx, actor, hook, 'webhook.created', {});
    return { ...serializeWebhook(hook), secret: hook.secret };
  });
}

export interface WebhookPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  is_active?: boolean | undefined;
}

/**
 * Changes an endpoint. Turning it on (`is_active: true`) clears an automatic disable's reason
 * and failure count; a new URL is a new receiver, so its failure count starts again too.
 */
export async function updateWebhook(
  db: Db,
  actor: Actor,
  id: number,
  patch: WebhookPatch,
  policy: UrlPolicy,
): Promise<WebhookJson> {
  const hook = await requireWebhook(db, actor, id);
  const url = patch.url === undefined ? undefined : await deliverableUrl(patch.url, policy);
  return transact(db, async (tx) => {
    const values: Partial<typeof webhooks.$inferInsert> = {};
    if (url !== undefined && url !== hook.url) {
      values.url = url;
      values.consecutiveFailures = 0;
    }
    if (patch.events !== undefined) values.events = normalizeEvents(patch.events);
    if (patch.is_active !== undefined) {
      values.isActive = patch.is_active;
      if (patch.is_active) {
        values.consecutiveFailures = 0;
        values.disabledReason = null;
      }
    }
    const [row] = Object.keys(values).length
      ? await tx.update(webhooks).set(values).where(eq(webhooks.id, id)).returning()
      : await tx.select().from(webhooks).where(eq(webhooks.id, id));
    if (!row) throw notFound();
    await audit(tx, actor, row, 'webhook.updated', { fields: Object.keys(patch) });
    return serializeWebhook(row);
  });
}

/** Deletes an endpoint and its delivery log; its queued jobs find nothing left to send. */
export async function deleteWebhook(db: Db, actor: Actor, id: number): Promise<void> {
  const hook = await requireWebhook(db, actor, id);
  await transact(db, async (tx) => {
    const removed = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
    if (!removed.length) throw notFound();
    await audit(tx, actor, hook, 'webhook.deleted', {});
  });
}

/** A new secret, returned this once; attempts sent from now on are signed with it. */
export async function rotateSecret(db: Db, actor: Actor, id: number): Promise<WebhookWithSecret> {
  await requireWebhook(db, actor, id);
  return transact(db, async (tx) => {
    const [row] = await tx.update(webhooks).set({ secret: generateSecret() }).where(eq(webhooks.id, id)).returning();
    if (!row) throw notFound();
    await audit(tx, actor, row, 'webhook.secret_rotated', {});
    await recordAudit(tx, { actorId: actor.id, action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id });
    return { ...serializeWebhook(row), secret: row.secret };
  });
}

// ---------------------------------------------------------------------------------------------
// The delivery log, redelivery and pings.

export interface DeliveryFilters {
  message_id?: string | undefined;
  status?: DeliveryStatus | undefined;
}

/**
 * An endpoint's attempts, newest first; `message_id` narrows them to one message (all its
 * attempts), `status` to pending, succeeded or failed ones.
 */
export async function listDeliveries(
  db: Executor,
  actor: Actor,
  id: number,
  filters: DeliveryFilters,
  page: PageParams,
) {
  const hook = await requireWebhook(db, actor, id);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ d: webhookDeliveries, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, hook.id),
        filters.message_id === undefined ? undefined : eq(webhookDeliveries.messageId, filters.message_id),
        filters.status === undefined ? undefined : eq(webhookDeliveries.status, filters.status),
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeDelivery(r.d)) };
}

/** Locks an endpoint for a manual send; a disabled one is refused (turn it on first). */
async function lockActiveWebhook(tx: Executor, id: number): Promise<WebhookRow> {
  const [row] = await tx.select().from(webhooks).where(eq(webhooks.id, id)).for('update');
  if (!row) throw notFound();
  if (!row.isActive) throw conflict('This webhook is disabled; turn it on (is_active: true) to send to it');
  return row;
}

/**
 * Sends a message again, now, with its `webhook-id` and body. When an attempt of it is still
 * pending (waiting for its retry), that attempt is brought forward instead of starting a second
 * chain of retries beside it; otherwise a new attempt (its number one past the last) is queued.
 * The endpoint's row lock makes two clicks at once queue one attempt, not two.
 */
export async function redeliver(db: Db, actor: Actor, deliveryId: number): Promise<DeliveryJson> {
  const [source] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
  if (!source) throw notFound();
  await requireWebhook(db, actor, source.webhookId);
  return transact(db, async (tx) => {
    await lockActiveWebhook(tx, source.webhookId);
    const sameMessage = and(
      eq(webhookDeliveries.webhookId, source.webhookId),
      eq(webhookDeliveries.messageId, source.messageId),
    );
    const [pending] = await tx
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date() })
      .where(and(sameMessage, eq(webhookDeliveries.status, 'pending')))
      .returning();
    let row = pending;
    if (!row) {
      const [last] = await tx
        .select({ attempt: max(webhookDeliveries.attempt) })
        .from(webhookDeliveries)
        .where(sameMessage);
      [row] = await tx
        .insert(webhookDeliveries)
        .values({
          webhookId: source.webhookId,
          messageId: source.messageId,
          eventType: source.eventType,
          payload: source.payload,
          attempt: (last?.attempt ?? source.attempt) + 1,
          status: 'pending',
          nextAttemptAt: new Date(),
        })
        .returning();
    }
    await enqueue(tx, TASKS.deliverWebhook, { delivery: row!.id });
    return serializeDelivery(row!);
  });
}

/**
 * Queues a `webhook.ping` message to an endpoint, so its managers can check that the receiver
 * answers and verifies signatures. Pings are not retried.
 */
export async function pingWebhook(db: Db, actor: Actor, id: number): Promise<DeliveryJson> {
  await requireWebhook(db, actor, id);
  return transact(db, async (tx) => {
    const hook = await lockActiveWebhook(tx, id);
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({
        webhookId: hook.id,
        messageId: newMessageId(),
        eventType: PING_EVENT,
        payload: {
          type: PING_EVENT,
          timestamp: new Date().toISOString(),
          data: { webhook: hook.id, project: hook.projectId },
        },
        attempt: 1,
        status: 'pending',
        nextAttemptAt: new Date(),
      })
      .returning();
    await enqueue(tx, TASKS.deliverWebhook, { delivery: row!.id });
    return serializeDelivery(row!);
  });
}

// ---------------------------------------------------------------------------------------------
// For the deliver_webhook task.

/** An attempt and its endpoint, or null when the endpoint (and with it the attempt) is gone. */
export async function loadAttempt(
  db: Executor,
  id: number,
): Promise<{ attempt: DeliveryRow; webhook: WebhookRow } | null> {
  const [row] = await db
    .select({ attempt: webhookDeliveries, webhook: webhooks })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(eq(webhookDeliveries.id, id));
  return row ?? null;
}

/**
 * The body every attempt of a message sends, byte for byte: the stored `{type, timestamp,
 * data}` in that order. The stored JSON is the same on every read, so is this.
 */
export function deliveryBody(payload: unknown): string {
  const { type, timestamp, data } = (payload ?? {}) as { type?: unknown; timestamp?: unknown; data?: unknown };
  return JSON.stringify({ type, timestamp, data });
}

/**
 * How long to wait after failed attempt `attempt` (1-based): base × 4^(attempt − 1), at most
 * 12 hours, ±10 % jitter so endpoints that failed together do not retry in lockstep. With the
 * default 10 s base and 9 attempts: 10 s, 40 s, 2.7 min, 11 min, 43 min, 2.8 h, 11.4 h, 12 h,
 * about 27 hours from the first attempt to the last.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const delay = Math.min(baseMs * 4 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
  return Math.round(delay * (0.9 + 0.2 * random()));
}

/** What one attempt gave (the fields of `deliver()`'s result that are stored). */
export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  snippet: string;
  /** A failure that waiting does not cure (a refused destination, a bad port, NXDOMAIN): not retried. */
  permanent?: boolean;
}

export interface RetryPolicy {
  /** WEBHOOK_MAX_ATTEMPTS: attempts per message, manual redeliveries included. */
  maxAttempts: number;
  /** WEBHOOK_RETRY_BASE_MS. */
  retryBaseMs: number;
}

/** Postgres text cannot hold NUL; a receiver's answer may. */
const storable = (text: string | null, maxLength: number) =>
  text === null ? null : text.replaceAll('\u0000', '\uFFFD').slice(0, maxLength);

/**
 * Records an attempt's outcome, in one transaction: the attempt row; the endpoint's failure
 * count (reset by a success); the next attempt and its job when one is due; and, at the
 * twentieth failure in a row, the endpoint disabled with its reason and its project's
 * superadmins notified. An attempt that is no longer pending was recorded by another run of
 * the job (a redelivery brought it forward), which then did all of this: nothing happens.
 */
export async function recordAttempt(
  db: Db,
  policy: RetryPolicy,
  attempt: DeliveryRow,
  outcome: AttemptOutcome,
): Promise<{ recorded: boolean; retry: DeliveryRow | null; disabledReason: string | null }> {
  return transact(db, async (tx) => {
    const done = await tx
      .update(webhookDeliveries)
      .set({
        status: outcome.ok ? 'succeeded' : 'failed',
        responseStatus: outcome.status,
        durationMs: outcome.durationMs,
        error: storable(
          outcome.permanent ? `${outcome.error ?? 'failed'} (permanent: not retried)` : outcome.error,
          1000,
        ),
        responseSnippet: storable(outcome.snippet, 4096),
      })
      .where(and(eq(webhookDeliveries.id, attempt.id), eq(webhookDeliveries.status, 'pending')))
      .returning({ id: webhookDeliveries.id });
    if (!done.length) return { recorded: false, retry: null, disabledReason: null };
    const [hook] = await tx
      .update(webhooks)
      .set({ consecutiveFailures: outcome.ok ? 0 : sql`${webhooks.consecutiveFailures} + 1` })
      .where(eq(webhooks.id, attempt.webhookId))
      .returning();
    if (!hook || outcome.ok) return { recorded: true, retry: null, disabledReason: null };

    if (hook.isActive && hook.consecutiveFailures >= DISABLE_AFTER_FAILURES) {
      const reason = storable(
        `${hook.consecutiveFailures} consecutive failed deliveries; last: ${outcome.error ?? 'failed'}`,
        500,
      )!;
      await tx.update(webhooks).set({ isActive: false, disabledReason: reason }).where(eq(webhooks.id, hook.id));
      await notifyDisabled(tx, hook, reason);
      return { recorded: true, retry: null, disabledReason: reason };
    }

    const retryDue =
      hook.isActive && !outcome.permanent && attempt.attempt < policy.maxAttempts && attempt.eventType !== PING_EVENT;
    if (!retryDue) return { recorded: true, retry: null, disabledReason: null };
    const runAt = new Date(Date.now() + retryDelayMs(attempt.attempt, policy.retryBaseMs));
    const [retry] = await tx
      .insert(webhookDeliveries)
      .values({
        webhookId: attempt.webhookId,
        messageId: attempt.messageId,
        eventType: attempt.eventType,
        payload: attempt.payload,
        attempt: attempt.attempt + 1,
        status: 'pending',
        nextAttemptAt: runAt,
      })
      .returning();
    await enqueue(tx, TASKS.deliverWebhook, { delivery: retry!.id }, { runAt });
    return { recorded: true, retry: retry!, disabledReason: null };
  });
}

/** Marks an attempt failed without sending it: its endpoint was turned off meanwhile. */
export async function skipAttempt(db: Executor, id: number, error: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', error })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, 'pending')));
}

/** The project's active superadmins hear that an endpoint was disabled, and why. */
async function notifyDisabled(tx: Executor, hook: WebhookRow, reason: string): Promise<void> {
  const admins = await tx
    .select({ userId: userRoles.userId })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.projectId, hook.projectId), eq(userRoles.role, 'superadmin'), eq(users.isActive, true)));
  await storeNotifications(
    tx,
    admins.map((a) => ({ userId: a.userId, kind: 'webhook_disabled' as const })),
    null,
    null,
    { webhook: hook.id, url: hook.url, project: hook.projectId, reason },
  );
}
