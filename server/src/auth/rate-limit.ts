import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../lib/errors.ts';
import { createKnownDevices, deviceKey, type KnownDevices } from './known-devices.ts';

/**
 * Login throttling (docs/decisions/0004 and 0020), after rate-limiter-flexible's login recipe,
 * with OWASP's device cookies. Counters of sign-in attempts:
 *
 * - per account and client address (`perAccount`), so an attacker elsewhere cannot lock the
 *   real user out; a success clears it;
 * - per address (`perIp`), so one address cannot spray many accounts;
 * - per account from every address together, for clients that are not a known device of the
 *   account (`perAccountAnyIp` a day, then a slowly growing allowance: see `accountAllowance`),
 *   so guesses spread over many addresses are capped too;
 * - per known device (`perAccount`), which replaces the previous one for that device: its
 *   owner keeps signing in while the account is being guessed at; once spent, the device
 *   counts as unknown.
 *
 * Every attempt is charged *before* the password is verified, and the charge is given back on
 * a success, or when another counter refuses the attempt: checking first and counting the
 * failure after the slow hash let parallel guesses all pass the check (issue 14, row 2).
 * The account is its user id when the login names a real user (username and email count as
 * one account), else the login text itself.
 */
export interface LoginLimiter {
  /**
   * Charges one attempt to the counters that apply; throws 429 with Retry-After, charging
   * nothing, when any of them is spent. A failed attempt keeps its charge.
   *
   * @example
   * const attempt = await limiter.begin(account, ip, deviceToken);
   * if (!(await verifyPassword(hash, password))) throw unauthorized();
   * const newDeviceToken = await attempt.succeeded();
   */
  begin(account: string, ip: string, device: string | null): Promise<LoginAttempt>;
}

export interface LoginAttempt {
  /** The attempt came from a known device of the account, and was charged to the device. */
  readonly knownDevice: boolean;
  /**
   * The password was right: gives the charges back, clears this address's and device's
   * failures, and returns a new device token for the client to keep (the old one is void).
   */
  succeeded(): Promise<string>;
}

export interface LoginLimits {
  /** Attempts per account and address, and per known device, over 15 minutes. */
  perAccount: number;
  /** Attempts per address over an hour. */
  perIp: number;
  /** Attempts per account by unknown devices, from any address, before the slow-down. */
  perAccountAnyIp: number;
}

const ACCOUNT_IP_WINDOW_S = 15 * 60;
const IP_WINDOW_S = 60 * 60;
const ACCOUNT_WINDOW_S = 24 * 60 * 60;
/** The first step of the per-account slow-down: each further step waits twice as long. */
const ACCOUNT_STEP_MS = 60_000;

/**
 * How many attempts unknown devices may have made on one account `elapsedMs` after the first
 * in the current day: the budget at once, then one more after 1, 3, 7, 15, … minutes (a gap
 * that doubles each time: ten more in the first 17 hours). A slow-down, never a lock: the
 * allowance always grows, and the day's window then starts afresh.
 */
export function accountAllowance(budget: number, elapsedMs: number): number {
  return budget + Math.floor(Math.log2(1 + Math.max(0, elapsedMs) / ACCOUNT_STEP_MS));
}

/** Milliseconds from `elapsedMs` until the allowance reaches `attempt` (see accountAllowance). */
function msUntilAllowed(budget: number, attempt: number, elapsedMs: number): number {
  const steps = Math.min(attempt - budget, 40);
  return (2 ** steps - 1) * ACCOUNT_STEP_MS - elapsedMs;
}

const tooMany = (ms: number) =>
  new AppError('rate_limited', 'Too many sign-in attempts; try again later', null, {
    'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))),
  });

/** One charged counter: its state after the charge, and how to give the charge back. */
interface Charge {
  res: RateLimiterRes;
  refund(): Promise<unknown>;
}

/** Consumes a point; the state comes back whether or not the counter was already spent. */
async function charge(limiter: RateLimiterAbstract, key: string): Promise<Charge> {
  let res: RateLimiterRes;
  try {
    res = await limiter.consume(key);
  } catch (error) {
    // consume() rejects with the counter's state once it is spent: still one point consumed.
    if (!(error instanceof RateLimiterRes)) throw error;
    res = error;
  }
  return { res, refund: () => limiter.reward(key, 1) };
}

/**
 * @param namespace keeps the counters of deployments that share one Redis apart (the
 *   database name, as for the realtime bus).
 */
/** A fixed-window counter per key (`charge` throws 429 with Retry-After once it is spent). */
export interface SimpleLimiter {
  charge(key: string): Promise<void>;
}

/** A limiter of `points` per `duration` seconds, in Redis when given (shared by instances). */
export function createSimpleLimiter(
  name: string,
  points: number,
  duration: number,
  redis?: Redis,
  namespace = 'laneway',
): SimpleLimiter {
  const limiter = redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${namespace}:${name}`, points, duration })
    : new RateLimiterMemory({ keyPrefix: name, points, duration });
  return {
    async charge(key) {
      const c = await charge(limiter, key);
      if (c.res.consumedPoints > points) throw tooMany(c.res.msBeforeNext);
    },
  };
}

export function createLoginLimiter(
  limits: LoginLimits,
  redis?: Redis,
  namespace = 'laneway',
  devices: KnownDevices = createKnownDevices(redis, namespace),
): LoginLimiter {
  const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const keyPrefix = redis ? `${namespace}:${name}` : name;
    return redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  };
  const byAccountAndIp = make('login_fail_account_ip', limits.perAccount, ACCOUNT_IP_WINDOW_S);
  const byIp = make('login_fail_ip', limits.perIp, IP_WINDOW_S);
  const byDevice = make('login_fail_device', limits.perAccount, ACCOUNT_IP_WINDOW_S);
  // Refusals are decided by accountAllowance, below this ceiling (which it never reaches).
  const byAccount = make('login_fail_account', limits.perAccountAnyIp + 64, ACCOUNT_WINDOW_S);

  const spent = (c: Charge, points: number) => c.res.consumedPoints > points;
  const refundAll = (charges: Charge[]) => Promise.all(charges.map((c) => c.refund()));

  return {
    async begin(rawAccount, ip, device) {
      const account = rawAccount.toLowerCase();
      const accountIpKey = `${account}_${ip}`;
      const [accountIp, perIp, owner] = await Promise.all([
        charge(byAccountAndIp, accountIpKey),
        charge(byIp, ip),
        device ? devices.owner(device) : null,
      ]);
      for (const [c, points] of [
        [accountIp, limits.perAccount],
        [perIp, limits.perIp],
      ] as const) {
        if (spent(c, points)) {
          await refundAll([accountIp, perIp]);
          throw tooMany(c.res.msBeforeNext);
        }
      }

      let deviceCharge: Charge | null = null;
      if (device && owner === account) {
        deviceCharge = await charge(byDevice, deviceKey(device));
        // Spent: this device's guesses are done for now, and it counts as unknown.
        if (spent(deviceCharge, limits.perAccount)) {
          await deviceCharge.refund();
          deviceCharge = null;
        }
      }

      let accountCharge: Charge | null = null;
      if (!deviceCharge) {
        accountCharge = await charge(byAccount, account);
        const elapsed = ACCOUNT_WINDOW_S * 1000 - accountCharge.res.msBeforeNext;
        const attempt = accountCharge.res.consumedPoints;
        if (attempt > accountAllowance(limits.perAccountAnyIp, elapsed)) {
          await refundAll([accountIp, perIp, accountCharge]);
          const wait = Math.min(
            msUntilAllowed(limits.perAccountAnyIp, attempt, elapsed),
            accountCharge.res.msBeforeNext,
          );
          throw tooMany(wait);
        }
      }

      return {
        knownDevice: deviceCharge !== null,
        async succeeded() {
          await Promise.all([
            byAccountAndIp.delete(accountIpKey),
            perIp.refund(),
            deviceCharge ? byDevice.delete(deviceKey(device!)) : accountCharge?.refund(),
          ]);
          return devices.issue(account, owner === account ? device : null);
        },
      };
    },
  };
}
