/**
 * Standard Webhooks signatures (standardwebhooks.com), so receivers can verify Laneway's
 * deliveries with any of that project's libraries. The signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the bytes the secret's
 * base64 part decodes to, sent as `webhook-signature: v1,<base64>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A request body exactly as sent or received: verify the raw bytes, not re-serialised JSON. */
export type Body = string | Uint8Array;

/** Request headers from `fetch` (`Headers`) or `node:http` (`req.headers`). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** A new endpoint secret: `whsec_` and 32 random bytes in base64 (the standard asks 24 to 64). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  // Buffer.from skips characters that are not base64, so a mangled secret would otherwise
  // sign with a different key and fail far from the mistake.
  if (!BASE64.test(encoded)) throw new TypeError('A webhook secret is whsec_ followed by base64');
  return Buffer.from(encoded, 'base64');
}

function mac(secret: string, id: string, timestamp: number | string, body: Body): Buffer {
  return createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

/**
 * The `webhook-signature` value for one message.
 *
 * @example sign(secret, 'msg_2Kq…', Math.floor(Date.now() / 1000), body) // 'v1,K5oZ…='
 */
export function sign(secret: string, id: string, timestamp: number, body: Body): string {
  return `v1,${mac(secret, id, timestamp, body).toString('base64')}`;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How a receiver checks a delivery: the timestamp is within `toleranceSeconds` of now (either
 * way; a replayed old message fails) and one of the space-separated `v1,` signatures matches,
 * compared in constant time. Pass the raw body bytes. Throws only for a malformed secret.
 *
 * @example if (!verify(secret, req.headers, rawBody, 300)) return res.writeHead(401).end();
 */
export function verify(
  secret: string,
  headers: HeaderSource,
  body: Body,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = mac(secret, id, timestamp, body);
  return signatures.split(' ').some((candidate) => {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || !encoded) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
