/**
 * The `worker` command (`npm run worker`, the container's `worker` argument): runs background
 * jobs without serving HTTP. It opens the same runtime as the server (migrations under the
 * advisory lock, PostgreSQL, the Redis bus so job events reach every instance's sockets), and
 * on SIGTERM stops taking jobs, lets the running ones finish, and exits 0.
 */
import { openRuntime } from '../../server/src/deps.ts';
import { loadConfigOrExit } from '../../server/src/env.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startWorker } from './worker.ts';

/** The longest a running job may take to finish once SIGTERM arrives. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

const config = loadConfigOrExit(process.env);
if (!config.databaseUrl) {
  console.error('Invalid configuration: DATABASE_URL: the worker needs the server’s database (set DATABASE_URL)');
  process.exit(1);
}

const logger = createLogger(config);

/** The runtime and the worker; a signal during start-up waits for them, then stops them. */
const started = (async () => {
  const runtime = await openRuntime(config, logger, undefined, 'laneway-worker');
  return { runtime, worker: await startWorker(runtime.deps) };
})();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'worker shutting down: finishing running jobs');
  setTimeout(() => {
    logger.error({ signal, timeout_ms: SHUTDOWN_TIMEOUT_MS }, 'worker shutdown timed out');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  try {
    const { runtime, worker } = await started;
    await worker.stop();
    await runtime.close();
  } catch (error) {
    logger.error({ err: error }, 'worker shutdown failed');
    process.exit(1);
  }
  process.exit(0);
}
// Before anything starts: a SIGTERM during start-up (the heartbeat is already written) still
// stops cleanly instead of killing the process mid-way.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

const { worker } = await started;
logger.info({ worker: worker.id }, 'worker started');
