/**
 * One webhook delivery attempt. It never throws: the `deliver_webhook` task records every
 * outcome in `webhook_deliveries` and schedules the next try itself (docs/decisions/0010), so
 * a refusal, a timeout or a dead receiver is a result, not an exception.
 */
import type { ReadableStream } from 'node:stream/web';
import { fetch, type Dispatcher } from 'undici';
import { checkUrlSyntax } from '../../../server/src/webhooks/ssrf.ts';
import { sign } from '../../../server/src/webhooks/sign.ts';

interface DeliveryTarget {
  url: string;
  /** The endpoint's `whsec_…` secret. */
  secret: string;
  /** The message id: the same on every retry, so receivers can drop duplicates. */
  webhookId: string;
  timeoutMs?: number;
  /** From `createGuardedDispatcher`: required, so no delivery can bypass the SSRF guard. */
  dispatcher: Dispatcher;
  /** At most this many bytes of the response body are read and kept. */
  snippetBytes?: number;
}

/** The body built here from the event. */
interface EventBody {
  /** The event type, e.g. `ticket.moved`. */
  type: string;
  /** The event's data, as the realtime topic carries it. */
  payload: unknown;
  /** When the event happened; the body's `timestamp`. Default: now. */
  occurredAt?: Date;
}

/** A body built before (a stored message): sent byte for byte, so every attempt signs the same. */
interface PrebuiltBody {
  body: string;
}

export type DeliveryRequest = DeliveryTarget & (EventBody | PrebuiltBody);

export interface DeliveryResult {
  /** A 2xx answer, received in full (up to `snippetBytes`) before the timeout. */
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  snippet: string;
  /**
   * The failure cannot pass by waiting, so it is not retried (issue 13 row 10): the destination
   * is refused (a private address without WEBHOOK_ALLOW_PRIVATE, an unusable URL), its port is
   * one fetch never calls ("bad port"), or its name does not exist (NXDOMAIN). An HTTP answer
   * is the receiver's to give, and a 4xx during their deploy is common: every answer is retried.
   */
  permanent: boolean;
}

/**
 * POSTs `{"type","timestamp","data"}` with Standard Webhooks headers. A 3xx is a failure and
 * is never followed (its target was never checked by anyone); the timeout covers connecting,
 * the headers and the body.
 *
 * @example const result = await deliver({ url, secret, webhookId: 'msg_…', type: 'ticket.moved', payload, dispatcher });
 */
export async function deliver(request: DeliveryRequest): Promise<DeliveryResult> {
  const { timeoutMs = 10_000, snippetBytes = 1024 } = request;
  const started = performance.now();
  const received: Uint8Array[] = [];
  let status: number | null = null;
  const result = (error: string | null, permanent = false): DeliveryResult => ({
    ok: error === null,
    status,
    durationMs: Math.round(performance.now() - started),
    error,
    snippet: decodeSnippet(received, snippetBytes),
    permanent,
  });

  const target = checkUrlSyntax(request.url);
  if (!target.ok) return result(`refused: ${target.reason}`, true);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const sentAt = Math.floor(Date.now() / 1000);
    const body =
      'body' in request
        ? request.body
        : JSON.stringify({
            type: request.type,
            timestamp: (request.occurredAt ?? new Date()).toISOString(),
            data: request.payload,
          });
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Laneway-Webhooks/1',
        'webhook-id': request.webhookId,
        'webhook-timestamp': String(sentAt),
        'webhook-signature': sign(request.secret, request.webhookId, sentAt, body),
      },
      body,
      redirect: 'manual',
      signal,
      dispatcher: request.dispatcher,
    });
    status = response.status;
    await readAtMost(response.body, snippetBytes, received);
    if (status >= 300 && status < 400) return result(`redirect ${status} not followed`);
    return result(status >= 200 && status < 300 ? null : `HTTP ${status}`);
  } catch (error) {
    if (signal.aborted) return result(`timeout after ${timeoutMs} ms`);
    const { message, permanent } = describe(error);
    return result(message, permanent);
  }
}

/** Reads body chunks into `into` until `limit` bytes, then cancels the rest of the download. */
async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number, into: Uint8Array[]): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  let total = 0;
  while (total < limit) {
    const { done, value } = await reader.read();
    if (done) return;
    into.push(value);
    total += value.byteLength;
  }
  // A receiver may stream forever; what is past the snippet is not ours to wait for. A failed
  // cancel only means the connection is already gone, which changes nothing in the result.
  await reader.cancel().catch(() => undefined);
}

function decodeSnippet(chunks: Uint8Array[], limit: number): string {
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  // `stream: true` holds back a UTF-8 sequence cut at the limit instead of emitting U+FFFD.
  return new TextDecoder().decode(bytes, { stream: true });
}

/** Error codes (and undici's messages) of failures that waiting does not cure: see `permanent`. */
const PERMANENT_CODES = new Set(['ERR_WEBHOOK_DESTINATION_REFUSED', 'ENOTFOUND']);
const PERMANENT_MESSAGES = new Set(['bad port']);

/** The most specific message in undici's `fetch failed` → cause chain, refusals marked. */
function describe(error: unknown): { message: string; permanent: boolean } {
  let current: unknown = error;
  let message = String(error);
  let permanent = false;
  while (current instanceof Error) {
    const { code, errors } = current as Error & { code?: string; errors?: unknown[] };
    if (code === 'ERR_WEBHOOK_DESTINATION_REFUSED') return { message: `refused: ${current.message}`, permanent: true };
    permanent ||= PERMANENT_CODES.has(code ?? '') || PERMANENT_MESSAGES.has(current.message);
    // Happy Eyeballs failing on every address gives an AggregateError with an empty message.
    message = current.message || (errors?.[0] instanceof Error ? errors[0].message : code) || message;
    current = current.cause;
  }
  return { message, permanent };
}
