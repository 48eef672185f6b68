import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../lib/errors.ts';

/**
 * Login throttling, after rate-limiter-flexible's login recipe. Two counters of failures:
 * per account *and client address* (so an attacker elsewhere cannot lock the real user out),
 * and per address (so one address cannot spray many accounts). A success clears the first.
 * The account is its user id when the login names a real user (username and email count as
 * one account), else the login text itself.
 */
export interface LoginLimiter {
  /** Throws 429 with Retry-After when either counter is spent. */
  check(account: string, ip: string): Promise<void>;
  recordFailure(account: string, ip: string): Promise<void>;
  recordSuccess(account: string, ip: string): Promise<void>;
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
}

/** Failures per account and address are counted over 15 minutes, per address over an hour. */
const ACCOUNT_WINDOW_S = 15 * 60;
const IP_WINDOW_S = 60 * 60;

export function createLoginLimiter(limits: LoginLimits, redis?: Redis): LoginLimiter {
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  const byAccountAndIp = make('login_fail_account_ip', limits.perAccount, ACCOUNT_WINDOW_S);
  const byIp = make('login_fail_ip', limits.perIp, IP_WINDOW_S);
  const accountKey = (account: string, ip: string) => `${account.toLowerCase()}_${ip}`;

  const tooMany = (res: RateLimiterRes) =>
    new AppError('rate_limited', 'Too many failed sign-in attempts; try again later', null, {
      'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
    });

  return {
    async check(account, ip) {
      const [a, i] = await Promise.all([byAccountAndIp.get(accountKey(account, ip)), byIp.get(ip)]);
      if (a && a.consumedPoints >= limits.perAccount) throw tooMany(a);
      if (i && i.consumedPoints >= limits.perIp) throw tooMany(i);
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
