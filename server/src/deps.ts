import { createDb, type Db } from '@laneway/db/client';
import type { EmbeddedDatabase } from '@laneway/db/embedded';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import { createLoginLimiter, createSimpleLimiter, type LoginLimiter, type SimpleLimiter } from './auth/rate-limit.ts';
import { createOidc, type Oidc } from './auth/oidc.ts';
import type { AuthState } from './auth/sessions.ts';
import { CredentialCache } from './auth/credential-cache.ts';
import { createMemoryBus, type Bus } from './realtime/bus.ts';
import { workerAlive } from './lib/heartbeat.ts';
import { createMetrics, type Metrics } from './lib/metrics.ts';
import { createRedisBus } from './realtime/bus-redis.ts';
import { BoardCache } from './services/board.ts';
import type { Config } from './env.ts';
import { startDatabase, type StartedDatabase } from './database.ts';
import { createSecrets, resolveSecretKey, type Secrets } from './lib/secrets.ts';

/**
 * Long-lived things every request may use, created once at start-up. It names parts of every
 * server layer (lib, services, realtime, auth), so it sits at the top with what uses it: the
 * app, the routes, the WebSocket endpoint, and the worker (decision 0019).
 */
export interface AppDeps {
  config: Config;
  db: Db;
  sql: postgres.Sql;
  logger: Logger;
  loginLimiter: LoginLimiter;
  /** Password-reset requests per address and per client address (an hour). */
  resetLimiter: { byAddress: SimpleLimiter; byIp: SimpleLimiter };
  /** Unsafe requests per minute by kind of caller (SPEC §11). */
  writeLimiter: Record<'staff' | 'company' | 'token', SimpleLimiter>;
  boardCache: BoardCache;
  /** Carries committed events to every instance's WebSocket hub. */
  bus: Bus;
  /** Recently validated sessions and API tokens, dropped by the bus's control messages (0047). */
  credentialCache: CredentialCache;
  metrics: Metrics;
  /** Keys derived from SECRET_KEY (mailbox passwords, reply tokens). */
  secrets: Secrets;
  /** Single sign-on's relying party, null when OIDC_ISSUER is unset (tests may swap it). */
  oidc: Oidc | null;
  /** Checks optional dependencies for /ready (Redis, the worker), added by later layers. */
  readinessChecks: Record<string, () => Promise<boolean>>;
}

/** The Hono environment of every route: the dependencies, the caller, the request id. */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    auth: AuthState | null;
    requestId: string;
  };
}

/** The database's name: the Redis bus's namespace, shared by the instances of one deployment. */
function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'laneway';
}

/** The bus, counting what is published (by event kind: `ticket`, `chat`, `control`, …). */
function countPublished(bus: Bus, metrics: Metrics): Bus {
  return {
    ...bus,
    publish(event) {
      metrics.eventsPublished.inc({ kind: event.type.split('.')[0] });
      bus.publish(event);
    },
  };
}

export interface Runtime {
  deps: AppDeps;
  /** The PostgreSQL URL in use (the embedded server's when none is configured). */
  databaseUrl: string;
  embedded: EmbeddedDatabase | null;
  redis: Redis | null;
  close(): Promise<void>;
}

/**
 * Opens everything the server needs: Postgres (embedded when no URL is configured), with the
 * migrations applied under the advisory lock, and Redis when configured. `database` is that
 * Postgres when the caller has already set it going (`startDatabase`, as `main.ts` does so
 * that it starts while the server's modules load).
 */
export async function openRuntime(
  config: Config,
  logger: Logger,
  database: Promise<StartedDatabase> = startDatabase(config, logger),
  /** `application_name` of its connections: `laneway-worker` tells a worker's apart in pg_stat_activity. */
  applicationName = 'laneway',
): Promise<Runtime> {
  const { url: databaseUrl, embedded } = await database;
  const secrets = createSecrets(await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR));
  const { db, sql } = createDb(databaseUrl, { max: 20, applicationName });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true })
    : null;
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  const metrics = createMetrics(db);
  const readinessChecks: AppDeps['readinessChecks'] = {};
  if (redis) readinessChecks.redis = async () => (await redis.ping()) === 'PONG';
  // Some worker (inline here, or a `worker` process anywhere) beat recently.
  readinessChecks.worker = () => workerAlive(db);
  const bus = countPublished(
    redis
      ? createRedisBus(redis, databaseName(databaseUrl), logger, () => metrics.busReconnects.inc())
      : createMemoryBus(),
    metrics,
  );
  const deps: AppDeps = {
    config,
    db,
    sql,
    logger,
    loginLimiter: createLoginLimiter(
      {
        perAccount: config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
        perIp: config.LOGIN_MAX_ATTEMPTS_PER_IP,
        perAccountAnyIp: config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP,
      },
      redis ?? undefined,
      databaseName(databaseUrl),
    ),
    resetLimiter: {
      byAddress: createSimpleLimiter(
        'reset_address',
        config.PASSWORD_RESET_MAX_PER_ADDRESS,
        3600,
        redis ?? undefined,
        databaseName(databaseUrl),
      ),
      byIp: createSimpleLimiter(
        'reset_ip',
        config.PASSWORD_RESET_MAX_PER_IP,
        3600,
        redis ?? undefined,
        databaseName(databaseUrl),
      ),
    },
    writeLimiter: {
      staff: createSimpleLimiter(
        'writes_staff',
        config.RATE_LIMIT_WRITES_PER_MINUTE.staff,
        60,
        redis ?? undefined,
        databaseName(databaseUrl),
      ),
      company: createSimpleLimiter(
        'writes_company',
        config.RATE_LIMIT_WRITES_PER_MINUTE.company,
        60,
        redis ?? undefined,
        databaseName(databaseUrl),
      ),
      token: createSimpleLimiter(
        'writes_token',
        config.RATE_LIMIT_WRITES_PER_MINUTE.token,
        60,
        redis ?? undefined,
        databaseName(databaseUrl),
      ),
    },
    readinessChecks,
    oidc: createOidc(config),
    boardCache: new BoardCache(),
    metrics,
    secrets,
    bus,
    credentialCache: new CredentialCache(config.SESSION_CACHE_SECONDS, bus),
  };
  return {
    deps,
    databaseUrl,
    embedded,
    redis,
    async close() {
      try {
        deps.credentialCache.close();
        await sql.end({ timeout: 5 });
        await deps.bus.close?.();
        redis?.disconnect();
      } finally {
        await embedded?.stop();
      }
    },
  };
}
