import type { RouteHandler } from '@hono/zod-openapi';
import { migrationsApplied } from '@laneway/db/migrate';
import type { AppEnv } from '../../deps.ts';
import type { dbCheck, health, ready } from './health.routes.ts';

export const healthHandler: RouteHandler<typeof health, AppEnv> = (c) => c.json({ status: 'ok' as const }, 200);

/** Each check resolves to true or false; a check that throws or hangs past 2 s counts as false. */
async function runCheck(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), 2000);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness check that is about the whole deployment (any live worker), not this instance. */
const CLUSTER_CHECK = 'worker';

export const readyHandler: RouteHandler<typeof ready, AppEnv> = async (c) => {
  const { sql, readinessChecks } = c.var.deps;
  const all: Record<string, () => Promise<boolean>> = {
    postgres: async () => (await sql`select 1 as ok`).length === 1,
    migrations: () => migrationsApplied(sql),
    ...readinessChecks,
  };
  // The worker heartbeat is the deployment's, not this process's: an instance probe leaves it out.
  if (c.req.valid('query').scope === 'instance') delete all[CLUSTER_CHECK];
  const names = Object.keys(all);
  const results = await Promise.all(names.map((name) => runCheck(all[name]!)));
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  const ok = results.every(Boolean);
  return ok ? c.json({ status: 'ok' as const, checks }, 200) : c.json({ status: 'unavailable' as const, checks }, 503);
};

export const dbCheckHandler: RouteHandler<typeof dbCheck, AppEnv> = async (c) => {
  const started = performance.now();
  try {
    await c.var.deps.sql`select 1`;
    return c.json({ status: 'ok' as const, latency_ms: Math.round((performance.now() - started) * 100) / 100 }, 200);
  } catch (error) {
    return c.json({ status: 'unavailable' as const, error: error instanceof Error ? error.message : 'unknown' }, 503);
  }
};
