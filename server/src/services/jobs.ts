/**
 * Enqueuing background jobs (graphile-worker, in the same PostgreSQL). A job is added with SQL
 * in the caller's transaction, so it exists exactly when the change that caused it committed:
 * never lost to a crash after commit, never run for a change that rolled back.
 */
import type { Executor } from '@laneway/db/client';
import type { TaskName } from '@laneway/db/tasks';
import { sql } from 'drizzle-orm';
import { currentRequestId } from './publish.ts';

export interface JobOptions {
  /** Not before this time (retries, digests). */
  runAt?: Date;
  /** One pending job per key: a second add replaces it, or keeps its run time (`preserve_run_at`). */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  /** graphile-worker's own retries, for a task that throws (default 25). */
  maxAttempts?: number;
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string;
}

/**
 * Adds a job in the caller's transaction (`graphile_worker.add_job`). The id of the request
 * that caused it travels along (`request_id`), so the job's log lines can be found from the
 * request's.
 */
export async function enqueue(
  db: Executor,
  task: TaskName,
  payload: Record<string, unknown>,
  options: JobOptions = {},
): Promise<void> {
  const requestId = currentRequestId();
  await db.execute(sql`select graphile_worker.add_job(
    identifier => ${task},
    payload => ${JSON.stringify(requestId ? { ...payload, request_id: requestId } : payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? 'replace'}::text)`);
}
