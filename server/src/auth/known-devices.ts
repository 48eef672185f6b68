import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Known devices (OWASP's "device cookies", docs/decisions/0020): a browser that signed in to an
 * account gets a random token in an HttpOnly cookie, and its later sign-ins to that account
 * are counted on the device's own budget instead of the account's budget for unknown clients.
 * Tokens have 256 random bits and are stored only as SHA-256 hashes (a lookup by the hash of
 * the whole secret leaks nothing about it), in Redis when configured, else in memory.
 */
export interface KnownDevices {
  /** The account a device token was issued to, or null when unknown or expired. */
  owner(token: string): Promise<string | null>;
  /** Issues a new token for the account; `previous` (the account's old one) stops counting. */
  issue(account: string, previous: string | null): Promise<string>;
}

/** A device stays known for a year after its last sign-in (each sign-in issues a new token). */
export const DEVICE_LIFETIME_S = 365 * 86_400;
/** In memory, the oldest devices are forgotten past this many (a forgotten one is just unknown). */
const MEMORY_MAX_DEVICES = 100_000;

/** The token's store key: its SHA-256, so the store holds nothing a client could present. */
export function deviceKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const newToken = () => randomBytes(32).toString('base64url');

export function createKnownDevices(redis?: Redis, namespace = 'laneway'): KnownDevices {
  if (redis) {
    const key = (token: string) => `${namespace}:login_device:${deviceKey(token)}`;
    return {
      owner: (token) => redis.get(key(token)),
      async issue(account, previous) {
        const token = newToken();
        await redis.set(key(token), account, 'EX', DEVICE_LIFETIME_S);
        if (previous) await redis.del(key(previous));
        return token;
      },
    };
  }
  const devices = new Map<string, { account: string; expires: number }>();
  return {
    async owner(token) {
      const found = devices.get(deviceKey(token));
      if (!found) return null;
      if (found.expires > Date.now()) return found.account;
      devices.delete(deviceKey(token));
      return null;
    },
    async issue(account, previous) {
      const token = newToken();
      if (previous) devices.delete(deviceKey(previous));
      devices.set(deviceKey(token), { account, expires: Date.now() + DEVICE_LIFETIME_S * 1000 });
      // Map keeps insertion order: the first key is the device issued longest ago.
      if (devices.size > MEMORY_MAX_DEVICES) devices.delete(devices.keys().next().value!);
      return token;
    },
  };
}
