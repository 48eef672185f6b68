/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s) with @oslojs/otp, one step of drift either way, and
 * replay refusal: the matching step must be later than the last accepted one. Secrets are
 * sealed with AES-256-GCM under the instance key; recovery codes are stored as SHA-256.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { renderSVG } from 'uqr';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;

/** A new 160-bit TOTP secret (RFC 4226's recommended length). */
export const newTotpSecret = (): Uint8Array => new Uint8Array(randomBytes(20));

/** The secret as authenticator apps type it: base32. */
export const secretText = (secret: Uint8Array) => encodeBase32UpperCaseNoPadding(secret);

/** `otpauth://` URI and its QR code as SVG, for enrolment. */
export function enrolment(secret: Uint8Array, issuer: string, account: string) {
  const otpauth_url = createTOTPKeyURI(issuer, account, secret, TOTP_PERIOD_S, TOTP_DIGITS);
  return { secret: secretText(secret), otpauth_url, qr_svg: renderSVG(otpauth_url, { border: 2 }) };
}

/** iv (12) | tag (16) | ciphertext. */
export function seal(key: Buffer, plain: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
}

export function unseal(key: Buffer, sealed: Uint8Array): Uint8Array {
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  return new Uint8Array(Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]));
}

/**
 * The 30-second step whose code `code` is (now, one before or one after), or null. The caller
 * refuses a step not later than the last one it accepted (a replay).
 */
export function matchingStep(secret: Uint8Array, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(now / 1000 / TOTP_PERIOD_S);
  const given = new TextEncoder().encode(code);
  let found: number | null = null;
  // Every candidate is computed and compared, so the time does not say which one matched.
  for (const step of [current - 1, current, current + 1]) {
    const expected = new TextEncoder().encode(generateHOTP(secret, BigInt(step), TOTP_DIGITS));
    if (constantTimeEqual(expected, given)) found = step;
  }
  return found;
}

/** Ten recovery codes like `k3m9-x2pq-7fzt` (60 bits each), for showing once. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

/** How a recovery code is compared: case and dashes do not matter. */
export const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');
