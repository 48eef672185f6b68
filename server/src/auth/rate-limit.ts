import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../lib/errors.ts';

/**
 * Login throttling, after rate-limiter-flexible's login recipe. Two counters of failures:
 * per account *and client address* (so an attacker elsewhere cannot lock the real user out),
 * and per address (so one address cannot spray many accounts). A success clears the first.
 */
export interface LoginLimiter {
  /** Throws 429 with Retry-After when either counter is exhausted. */
  check(account: string, ip: string): Promise<void>;
  recordFailure(account: string, ip: string): Promise<void>;
  recordSuccess(account: string, ip: string): Promise<void>;
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
}

const WINDOW_S = 60 * 60;
const ACCOUNT_BLOCK_S = 15 * 60;

export function createLoginLimiter(limits: LoginLimits, redis?: Redis): LoginLimiter {
  const make = (keyPrefix: string, points: number, blockDuration: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: WINDOW_S, blockDuration })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S, blockDuration });
  const byAccountAndIp = make('login_fail_account_ip', limits.perAccount, ACCOUNT_BLOCK_S);
  const byIp = make('login_fail_ip', limits.perIp, WINDOW_S);
  const accountKey = (account: string, ip: string) => `${account.toLowerCase()}_${ip}`;

  const tooMany = (res: RateLimiterRes) => {
    const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return new AppError('rate_limited', 'Too many failed sign-in attempts; try again later', null, {
      'Retry-After': String(seconds),
    });
  };

  return {
    async check(account, ip) {
      const [a, i] = await Promise.all([byAccountAndIp.get(accountKey(account, ip)), byIp.get(ip)]);
      for (const [res, limit] of [
        [a, limits.perAccount],
        [i, limits.perIp],
      ] as const) {
        if (res && res.consumedPoints >= limit) throw tooMany(res);
      }
    },
    async recordFailure(account, ip) {
      await Promise.all([byAccountAndIp.consume(accountKey(account, ip)), byIp.consume(ip)]).catch((error: unknown) => {
        // consume() rejects with a RateLimiterRes once a counter is spent: that is expected.
        if (error instanceof RateLimiterRes) return;
        throw error;
      });
    },
    async recordSuccess(account, ip) {
      await byAccountAndIp.delete(accountKey(account, ip));
    },
  };
}
