/**
 * `entrypoint.sh backup [FILE|-]` and `entrypoint.sh restore [--force] FILE|-` (docs/backup.md):
 * the database the server would use (DATABASE_URL, the DB_* variables, or the embedded
 * PostgreSQL in DATA_DIR) and the server's UPLOAD_DIR (default DATA_DIR/uploads).
 *
 * Messages go to stderr: with `-`, stdout is the archive. Exit 0 on success, 1 with a message
 * on a refusal or failure, 2 on a usage error.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, createBackup, restoreBackup } from './backup.ts';
import { dataDirFromEnv, openDatabase } from './url.ts';

const USAGE = `usage: entrypoint.sh backup [FILE | -]
       entrypoint.sh restore [--force] FILE | -

backup   writes one archive: manifest.json, a pg_dump of the database and the files of UPLOAD_DIR.
         FILE defaults to DATA_DIR/backups/laneway-<UTC time>.tar; - writes to stdout.
restore  restores such an archive (- reads stdin) into an empty database and UPLOAD_DIR, then
         applies this image's newer migrations. --force replaces a database that is not empty.`;

const log = (line: string) => console.error(line);

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

/** `laneway-20261207T141500Z.tar`: sorts by time, no characters a file system dislikes. */
function defaultFile(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(dataDirFromEnv(), 'backups', `laneway-${stamp}.tar`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'backup' && command !== 'restore') usage(`unknown command ${JSON.stringify(command ?? '')}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  if (parsed.values.help) {
    console.error(USAGE);
    return;
  }
  const [file, extra] = parsed.positionals;
  if (extra !== undefined) usage(`one file only, not ${JSON.stringify(extra)}`);
  if (command === 'backup' && parsed.values.force) usage('--force is for restore');
  if (command === 'restore' && file === undefined) usage('restore needs the archive: a FILE, or - for stdin');
  if (command === 'backup' && file === '-' && process.stdout.isTTY) {
    usage('backup - writes the archive to stdout: redirect it to a file (or use docker compose exec -T)');
  }

  const env = process.env;
  // entrypoint.sh runs this from its own folder: a relative FILE is the caller's.
  const callerPath = (p: string) => (p === '-' ? p : path.resolve(env.LANEWAY_CALLER_DIR || '.', p));
  const uploadDir = env.UPLOAD_DIR || `${dataDirFromEnv(env)}/uploads`;
  const database = await openDatabase(env, log);
  try {
    if (command === 'backup') {
      await createBackup({
        url: database.url,
        uploadDir,
        output: file === undefined ? defaultFile() : callerPath(file),
        log,
      });
    } else {
      await restoreBackup({ url: database.url, uploadDir, input: callerPath(file!), force: parsed.values.force, log });
    }
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const known = error instanceof BackupError;
      console.error(`${known ? '' : 'unexpected error: '}${error instanceof Error ? error.message : String(error)}`);
      if (!known && error instanceof Error && error.stack) console.error(error.stack);
      // Exit now: embedded.ts's exit handler stops an embedded cluster, if one was started.
      process.exit(1);
    },
  );
}
