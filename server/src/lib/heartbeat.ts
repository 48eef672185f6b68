/** Worker liveness, shared by the worker (which beats) and the server's /ready (which asks). */
import type { Executor } from '@laneway/db/client';
import { sql } from 'drizzle-orm';

/** How often a worker process records that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat older than this is a dead process (six missed beats). */
export const HEARTBEAT_STALE_SECONDS = 30;

/** Whether some worker, in this process or any other, beat within the stale bound. */
export async function workerAlive(db: Executor): Promise<boolean> {
  const [row] = await db.execute<{ ok: boolean }>(sql`select exists (select 1 from worker_heartbeats
    where seen_at > now() - make_interval(secs => ${HEARTBEAT_STALE_SECONDS})) as ok`);
  return row?.ok ?? false;
}
