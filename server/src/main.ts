import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { openRuntime } from './deps.ts';
import { loadConfigOrExit } from './env.ts';
import { closeHttpServer, createHttpServer } from './http-server.ts';
import { createRealtime } from './realtime/server.ts';
import { createLogger } from './logger.ts';
import { loadWebApp } from './web.ts';
import { startWorker } from '../../workers/src/worker.ts';

/** How long a shutdown may take (in-flight requests, then connections) before exiting with 1. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

const config = loadConfigOrExit(process.env);

const logger = createLogger(config);
const runtime = await openRuntime(config, logger);
// Inline mode: the worker runs in this process (one command for a small install).
const worker =
  config.WORKER_MODE === 'inline' ? await startWorker(runtime.deps, { connectionString: runtime.databaseUrl }) : null;
const app = createApp(runtime.deps);
const realtime = createRealtime(runtime.deps);
const web = await loadWebApp(app, logger);
const server = await createHttpServer(app, { hostname: config.HOST, realtime, web });
server.once('error', (error) => {
  logger.fatal({ err: error }, 'HTTP server failed');
  void runtime.close().finally(() => process.exit(1));
});
server.listen(config.PORT, config.HOST, () => {
  const info = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = config.PUBLIC_URL ?? `http://${host}:${info.port}`;
  const data = runtime.embedded
    ? `embedded PostgreSQL in ${path.resolve(runtime.embedded.dataDir)}`
    : 'PostgreSQL at DATABASE_URL';
  console.log(`Laneway is running at ${url}\n  API docs: ${url}/api/docs\n  data: ${data}`);
});

/**
 * Stops accepting connections, lets in-flight requests finish, then closes Postgres (and the
 * embedded cluster), Redis; exits 0, or 1 when that fails or takes over SHUTDOWN_TIMEOUT_MS.
 */
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => {
    logger.error({ signal, timeout_ms: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  try {
    realtime.close();
    await Promise.all([closeHttpServer(server), worker?.stop()]);
    await runtime.close();
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
