/**
 * How a task is written: a zod schema for its payload and a function of the payload and the
 * worker's dependencies. The payload is validated first (STYLE: one small retryable thing per
 * task); a payload that can never be valid is logged and dropped rather than retried 25 times.
 * Every task runs inside `withPublisher`, so the changes it commits reach WebSockets.
 */
import type { Db } from '@laneway/db/client';
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../../server/src/env.ts';
import type { Bus } from '../../server/src/realtime/bus.ts';
import type { Metrics } from '../../server/src/lib/metrics.ts';
import type { Secrets } from '../../server/src/lib/secrets.ts';
import { withPublisher } from '../../server/src/services/publish.ts';

/** What every task may use: the same database, bus, configuration, logger and metrics as the server. */
export interface WorkerDeps {
  db: Db;
  bus: Bus;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Keys from SECRET_KEY: mailbox passwords. */
  secrets: Secrets;
}

export interface TaskContext {
  deps: WorkerDeps;
  helpers: JobHelpers;
  /** A child logger carrying the job's id, task and (when the payload has one) request id. */
  log: Logger;
}

/** A task bound to its dependencies at worker start. */
export type TaskFactory = (deps: WorkerDeps) => Task;

export function defineTask<S extends z.ZodType>(
  schema: S,
  run: (payload: z.infer<S>, ctx: TaskContext) => Promise<void>,
): TaskFactory {
  return (deps) => async (raw, helpers) => {
    const requestId = (raw as { request_id?: unknown } | null)?.request_id;
    const log = deps.logger.child({
      job: helpers.job.id,
      task: helpers.job.task_identifier,
      attempt: helpers.job.attempts,
      ...(typeof requestId === 'string' ? { request_id: requestId } : {}),
    });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, 'invalid job payload: dropped');
      return;
    }
    // Jobs this one enqueues carry the same request id on.
    await withPublisher(deps.bus, () => run(parsed.data, { deps, helpers, log }), log.bindings().request_id ?? null);
  };
}
