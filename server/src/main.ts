import path from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { openRuntime } from './deps.ts';
import { ConfigError, loadConfig } from './env.ts';
import { createLogger } from './logger.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config);
const runtime = await openRuntime(config, logger);
const app = createApp(runtime.deps);
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = config.PUBLIC_URL ?? `http://${host}:${info.port}`;
  const data = runtime.embedded
    ? `embedded PostgreSQL in ${path.resolve(runtime.embedded.dataDir)}`
    : 'PostgreSQL at DATABASE_URL';
  console.log(`Laneway is running at ${url}\n  API docs: ${url}/api/docs\n  data: ${data}`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  await runtime.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
