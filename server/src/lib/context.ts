import type { Db } from '@laneway/db/client';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { Config } from '../env.ts';
import type { LoginLimiter } from '../auth/rate-limit.ts';
import type { Bus } from '../realtime/bus.ts';
import type { BoardCache } from '../services/board.ts';
import type { Metrics } from './metrics.ts';

/** Long-lived things every request may use, created once at start-up. */
export interface AppDeps {
  config: Config;
  db: Db;
  sql: postgres.Sql;
  logger: Logger;
  loginLimiter: LoginLimiter;
  boardCache: BoardCache;
  /** Carries committed events to every instance's WebSocket hub. */
  bus: Bus;
  metrics: Metrics;
  /** Checks optional dependencies for /ready (Redis, the worker), added by later layers. */
  readinessChecks: Record<string, () => Promise<boolean>>;
}

/** The signed-in user, as the policy module sees them. */
export interface Actor {
  id: number;
  username: string;
  isSuperuser: boolean;
}

export interface AuthState {
  actor: Actor;
  sessionId: string;
  /** `cookie` requests are subject to the CSRF origin check; `bearer` ones are not. */
  via: 'cookie' | 'bearer';
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    auth: AuthState | null;
    requestId: string;
  };
}
