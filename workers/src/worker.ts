/**
 * Runs graphile-worker against Laneway's database: the task list, the crontab, and a heartbeat.
 * The same function serves the inline mode (inside the server process) and the `worker`
 * command; any number of them may run at once, on any number of machines.
 *
 * The heartbeat (`worker_heartbeats`, every few seconds) does two jobs. `/ready` wants a recent
 * one. And a row that goes stale means its process died without shutting down (SIGKILL, OOM):
 * graphile-worker would keep that process's jobs locked for four hours, so the next live
 * worker releases them at once (`forceUnlockWorkers`) and they run again.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workerHeartbeats } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import {
  Logger,
  makeWorkerUtils,
  run,
  type LogLevel,
  type Runner,
  type TaskList,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import { TASKS, type TaskName } from '@laneway/db/tasks';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_STALE_SECONDS } from '../../server/src/lib/heartbeat.ts';
import type { TaskFactory, WorkerDeps } from './task.ts';
import { archiveDoneTickets } from './tasks/archive_done_tickets.ts';
import { cleanup } from './tasks/cleanup.ts';
import { closeDeliveryDispatchers, deliverWebhook } from './tasks/deliver_webhook.ts';
import { mailChatMessage } from './tasks/mail_chat_message.ts';
import { notify } from './tasks/notify.ts';
import { accountMail } from './tasks/account_mail.ts';
import { POLL_JOB_KEY, pollMailboxes } from './tasks/poll_mailboxes.ts';
import { slaCheck } from './tasks/sla_check.ts';
import { slaSweep } from './tasks/sla_sweep.ts';
import { importProject } from './tasks/import_project.ts';
import { closeMailTransports } from './mail.ts';

/**
 * Every task by its identifier (db/src/tasks.ts names them): one name per task, the file
 * `tasks/<identifier>.ts` exporting the task under its `TASKS` key. `satisfies` makes a task
 * added to the registry without a runner, or the reverse, a type error.
 */
const TASK_FACTORIES = {
  [TASKS.archiveDoneTickets]: archiveDoneTickets,
  [TASKS.cleanup]: cleanup,
  [TASKS.notify]: notify,
  [TASKS.deliverWebhook]: deliverWebhook,
  [TASKS.accountMail]: accountMail,
  [TASKS.pollMailboxes]: pollMailboxes,
  [TASKS.mailChatMessage]: mailChatMessage,
  [TASKS.slaCheck]: slaCheck,
  [TASKS.slaSweep]: slaSweep,
  [TASKS.importProject]: importProject,
} satisfies Record<TaskName, TaskFactory>;

export const crontabFile = fileURLToPath(new URL('../crontab', import.meta.url));

export interface WorkerOptions {
  /** Postgres URL; defaults to the configured one (the embedded server's when none is). */
  connectionString?: string;
  concurrency?: number;
  /** How often idle workers look for scheduled jobs, in ms (new jobs arrive by LISTEN). */
  pollInterval?: number;
  /** The crontab text; null runs no scheduled jobs (tests); default `workers/crontab`. */
  crontab?: string | null;
}

export interface RunningWorker {
  /** Stops taking jobs, lets the running ones finish, and removes the heartbeat. */
  stop(): Promise<void>;
  readonly id: string;
}

/** graphile-worker's log lines, through the app's pino logger. */
function graphileLogger(logger: WorkerDeps['logger']): Logger {
  const levels: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'> = {
    error: 'error',
    warning: 'warn',
    info: 'debug',
    debug: 'debug',
  };
  return new Logger((scope) => (level, message, meta) => logger[levels[level]]({ ...scope, ...meta }, message));
}

export async function startWorker(deps: WorkerDeps, options: WorkerOptions = {}): Promise<RunningWorker> {
  const connectionString = options.connectionString ?? deps.config.databaseUrl;
  if (!connectionString) throw new Error('startWorker needs a database URL');
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const logger = graphileLogger(deps.logger);
  const taskList: TaskList = Object.fromEntries(
    Object.entries(TASK_FACTORIES).map(([name, factory]) => [name, factory(deps)]),
  );
  const workerIds = new Set<string>();
  // Our own emitter, passed in, so no worker is created before we listen.
  const events: WorkerEvents = new EventEmitter();
  // Jobs are locked by the pool's id (it fetches for its workers) or a worker's: keep both.
  events.on('pool:create', ({ workerPool }) => void workerIds.add(workerPool.id));
  events.on('worker:create', ({ worker }) => void workerIds.add(worker.workerId));
  events.on('job:success', ({ job }) => deps.metrics.jobs.inc({ task: job.task_identifier, outcome: 'success' }));
  events.on('job:error', ({ job, error }) => {
    deps.metrics.jobs.inc({ task: job.task_identifier, outcome: 'error' });
    deps.logger.warn({ job: job.id, task: job.task_identifier, attempt: job.attempts, err: error }, 'job failed');
  });
  events.on('job:failed', ({ job }) => deps.metrics.jobs.inc({ task: job.task_identifier, outcome: 'gave_up' }));

  await deps.db.insert(workerHeartbeats).values({ id, workerIds: [] });
  const utils: WorkerUtils = await makeWorkerUtils({ connectionString, logger });
  let runner: Runner;
  try {
    runner = await run({
      connectionString,
      concurrency: options.concurrency ?? deps.config.WORKER_CONCURRENCY,
      pollInterval: options.pollInterval ?? 2_000,
      noHandleSignals: true,
      logger,
      events,
      taskList,
      crontab: options.crontab === undefined ? readFileSync(crontabFile, 'utf8') : (options.crontab ?? ''),
    });
  } catch (error) {
    await utils.release();
    await deps.db.delete(workerHeartbeats).where(eq(workerHeartbeats.id, id));
    throw error;
  }

  const beat = async () => {
    await deps.db
      .update(workerHeartbeats)
      .set({ workerIds: [...workerIds], seenAt: sql`now()` })
      .where(eq(workerHeartbeats.id, id));
    const dead = await deps.db.execute<{ worker_ids: string[] }>(sql`
      delete from worker_heartbeats
      where seen_at < now() - make_interval(secs => ${HEARTBEAT_STALE_SECONDS})
      returning worker_ids`);
    const orphaned = dead.flatMap((row) => row.worker_ids);
    if (orphaned.length) {
      await utils.forceUnlockWorkers(orphaned);
      deps.logger.warn({ workers: orphaned }, 'released the jobs of workers that stopped beating');
    }
  };
  const beating = setInterval(() => {
    beat().catch((error: unknown) => deps.logger.warn({ err: error }, 'worker heartbeat failed'));
  }, HEARTBEAT_INTERVAL_MS);
  beating.unref();
  // The first beat also releases whatever a dead predecessor left behind.
  await beat();
  // The mailbox poll is a chain of one job (its key): scheduled like the crontab, not in it,
  // as MAIL_POLL_SECONDS may be shorter than cron's minute. `preserve_run_at` keeps a
  // running chain's time when another worker starts.
  if (options.crontab !== null) {
    await utils.addJob(
      TASKS.pollMailboxes,
      {},
      { jobKey: POLL_JOB_KEY, jobKeyMode: 'preserve_run_at', maxAttempts: 1 },
    );
  }

  return {
    id,
    async stop() {
      clearInterval(beating);
      await runner.stop();
      await utils.release();
      closeMailTransports();
      await closeDeliveryDispatchers();
      await deps.db.delete(workerHeartbeats).where(eq(workerHeartbeats.id, id));
    },
  };
}
