/**
 * `npm start`: the server, with the worker inline unless WORKER_MODE says otherwise. The
 * database is set going first and the rest of the server loaded while it starts: on a first
 * start the embedded PostgreSQL's `initdb` runs in its own processes while this one loads
 * several hundred modules, instead of one after the other (decision 0059).
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startDatabase } from './database.ts';
import { loadConfigOrExit } from './env.ts';
import { createLogger } from './logger.ts';

/** How long a shutdown may take (in-flight requests, then connections) before exiting with 1. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

const config = loadConfigOrExit(process.env);

const logger = createLogger(config);
// Loading the modules below keeps this thread busy for seconds without a turn of the event
// loop, so wait until the cluster's first process (initdb on a first start) runs: it then
// works on the other core meanwhile.
const launched = Promise.withResolvers<void>();
const database = startDatabase(config, logger, launched.resolve);
// Also settles `launched` on a failure (openRuntime rethrows it), so it is never unhandled.
database.then(
  () => launched.resolve(),
  () => launched.resolve(),
);
await launched.promise;
const [
  { createApp },
  { openRuntime },
  { closeHttpServer, createHttpServer },
  { createRealtime },
  { loadWebApp },
  { startWorker },
] = await Promise.all([
  import('./app.ts'),
  import('./deps.ts'),
  import('./http-server.ts'),
  import('./realtime/server.ts'),
  import('./web.ts'),
  import('../../workers/src/worker.ts'),
]);
const runtime = await openRuntime(config, logger, database);
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
