/**
 * A real IMAP server for tests: Dovecot (Debian's `dovecot-imapd`), one throw-away instance per
 * call, on its own loopback port and temp directory, so parallel test files never share one.
 *
 * Why these settings (checked against Dovecot 2.3.19, see shared NOTES "Wave 2"): the master
 * runs as root and drops to `dovecot`/`dovenull` for its children (imap-login refuses to run as
 * root); every path it writes (`base_dir`, `state_dir`, `log_path`) is under the temp directory,
 * so the system's own Dovecot, if any, is never touched; mail is Maildir owned by `dovecot`,
 * whose hierarchy delimiter is `.` — callers pass folders as `Laneway/Imported` or
 * `['Laneway', 'Imported']` and the delimiter the server announces is put in between.
 *
 * The master runs in the foreground (`-F`) as a child of this process: we see its stderr when it
 * fails to start, and we reap it as soon as it exits, so `doveadm stop` returns at once (a
 * daemonised master left as a zombie under a non-reaping parent keeps `doveadm stop` waiting).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

const run = promisify(execFile);

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotOptions {
  /** Mail accounts, each with an empty INBOX. Default: one `helpdesk` with a random password. */
  users?: DovecotUser[];
  /** Listen on this port (the CLI's `--port`). Default: a free one. */
  port?: number;
  /** How long to wait for the IMAP greeting. Default 15 s. */
  startTimeoutMs?: number;
}

/** A folder as path segments (`['Laneway', 'Imported']`) or joined with `/` (`Laneway/Imported`). */
export type Folder = string | string[];

/** One message as `list` returns it. */
export interface DovecotMessage {
  uid: number;
  flags: string[];
  subject: string | undefined;
  messageId: string | undefined;
  /** The whole message as stored (RFC 5322, CRLF line ends). */
  source: string;
}

export interface Dovecot {
  host: string;
  port: number;
  /** The accounts as they are now (`addUser` adds to this list). */
  users: DovecotUser[];
  /** The temp directory holding config, state, log and mail; gone after `stop()`. */
  dir: string;
  /** Adds an account that can sign in at once. */
  addUser(user: string, password?: string): Promise<DovecotUser>;
  /** An imapflow client logged in as `user` (a known account); the caller logs it out. */
  connect(user: string): Promise<ImapFlow>;
  /** Creates the folder (and its parents) unless it exists; returns its server-side path. */
  createFolder(user: string, folder: Folder): Promise<string>;
  /** Delivers a message by IMAP APPEND, creating the folder first if needed; returns its UID. */
  append(user: string, folder: Folder, rawMessage: string | Buffer, flags?: string[]): Promise<number>;
  /** Every message in the folder, oldest first; `[]` when the folder does not exist. */
  list(user: string, folder: Folder): Promise<DovecotMessage[]>;
  /** The instance's log (logins, errors), for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'apt-get install -y dovecot-imapd';

/** The executable's full path from PATH or the sbin directories (root's PATH may lack them). */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A loopback port that was free a moment ago (the caller retries if Dovecot loses the race). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether the port answers with an IMAP `* OK` greeting that includes `greeting`. */
async function imapGreets(host: string, port: number, greeting: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let text = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) done(text.startsWith('* OK') && text.includes(greeting));
    });
  });
}

function config(dir: string, port: number, greeting: string): string {
  return `# Written by test/peers/dovecot.ts for one test run; removed on stop().
instance_name = laneway-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
# Tells this instance's greeting from any other server's on the port.
login_greeting = ${greeting}
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, not after the default 2 s penalty.
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  # One file per account: Dovecot stats a passwd-file at most once a second, so a user appended
  # to one shared file could be refused for up to a second; a new file is read at first use.
  args = scheme=PLAIN username_format=%u ${dir}/passwd.d/%u
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/**
 * The folder's path on this server: `INBOX` as is, other segments joined with the hierarchy
 * delimiter the server announced (its NAMESPACE, else its LIST of INBOX).
 */
export async function mailboxPath(client: ImapFlow, folder: Folder): Promise<string> {
  const segments = Array.isArray(folder) ? folder : folder.split('/');
  if (segments.length === 1) return segments[0]!.toUpperCase() === 'INBOX' ? 'INBOX' : segments[0]!;
  let delimiter = client.namespace?.delimiter;
  if (!delimiter) {
    const [inbox] = await client.list();
    delimiter = inbox?.delimiter;
  }
  if (!delimiter) throw new Error('the IMAP server announced no hierarchy delimiter');
  return segments.join(delimiter);
}

function checkUserName(user: string) {
  // The name is a file name (passwd.d/<user>) and a directory name (mail/<user>).
  if (!/^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$/.test(user))
    throw new Error(`unusable IMAP user name for the test peer: ${user}`);
}

/**
 * Starts a Dovecot IMAP server on a free loopback port with the given accounts.
 *
 * @example
 * const imap = await startDovecot();
 * const { user, password } = imap.users[0]!;
 * await imap.append(user, 'INBOX', 'From: a@example.com\r\nSubject: Hi\r\n\r\nHello\r\n');
 * // … the code under test connects to imap.host:imap.port with user/password …
 * expect(await imap.list(user, 'Laneway/Imported')).toHaveLength(1);
 * await imap.stop();
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const dovecot = findExecutable('dovecot');
  const doveadm = findExecutable('doveadm');
  if (!dovecot || !doveadm) {
    throw new Error(`Dovecot is not installed (no dovecot/doveadm on PATH): ${INSTALL_HINT} (.ci/run installs it)`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the Dovecot test peer must run as root (its master drops to the dovecot/dovenull users)');
  }

  const users = (options.users ?? [{ user: 'helpdesk', password: randomBytes(9).toString('base64url') }]).map((u) => ({
    ...u,
  }));
  users.forEach((u) => checkUserName(u.user));
  const host = '127.0.0.1';
  const dir = await mkdtemp(path.join(tmpdir(), 'laneway-dovecot-'));
  const confPath = path.join(dir, 'dovecot.conf');
  const greeting = `Laneway test IMAP ${path.basename(dir)} ready.`;
  const writeAccount = (u: DovecotUser) =>
    writeFile(path.join(dir, 'passwd.d', u.user), `${u.user}:{PLAIN}${u.password}\n`, { mode: 0o644 });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;
  try {
    // mkdtemp makes the directory 0700; Dovecot's unprivileged processes must traverse it.
    await chmod(dir, 0o755);
    await mkdir(path.join(dir, 'mail'));
    await run('chown', ['dovecot:dovecot', path.join(dir, 'mail')]);
    await mkdir(path.join(dir, 'passwd.d'));
    for (const u of users) await writeAccount(u);

    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    // Another process may take the free port before Dovecot binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      port = options.port ?? (await freePort());
      await writeFile(confPath, config(dir, port, greeting));
      const started = spawn(dovecot, ['-F', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      const state: { stderr: string; exitCode?: number } = { stderr: '' };
      started.stderr!.on('data', (chunk: Buffer) => (state.stderr += chunk.toString('utf8')));
      exited = new Promise<void>((resolve) => {
        started.once('exit', (code) => {
          state.exitCode = code ?? -1;
          resolve();
        });
        started.once('error', (error) => {
          state.stderr += String(error);
          state.exitCode = -1;
          resolve();
        });
      });
      child = started;
      let greeted = false;
      while (state.exitCode === undefined && Date.now() < deadline) {
        if ((greeted = await imapGreets(host, port, greeting))) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (greeted) break;
      if (state.exitCode === undefined) {
        started.kill('SIGTERM');
        await exited;
        throw new Error(`Dovecot did not greet on ${host}:${port} in time`);
      }
      const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
      const why = `${state.stderr}\n${log}`.trim();
      if (attempt < 5 && !options.port && /Address already in use/i.test(why)) continue;
      throw new Error(`Dovecot exited with ${state.exitCode} on start: ${why}`);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const passwordOf = (user: string) => {
    const found = users.find((u) => u.user === user);
    if (!found) throw new Error(`no such IMAP user in the test peer: ${user}`);
    return found.password;
  };

  async function connect(user: string): Promise<ImapFlow> {
    const client = new ImapFlow({
      host,
      port,
      secure: false,
      auth: { user, pass: passwordOf(user) },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    return client;
  }

  /** Runs `fn` with a fresh logged-in client and logs it out afterwards. */
  async function withClient<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await connect(user);
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async function ensureFolder(client: ImapFlow, folder: Folder): Promise<string> {
    const target = await mailboxPath(client, folder);
    const existing = await client.list();
    if (!existing.some((m) => m.path === target)) await client.mailboxCreate(target);
    return target;
  }

  let stopped = false;
  return {
    host,
    port,
    users,
    dir,
    async addUser(user, password = randomBytes(9).toString('base64url')) {
      checkUserName(user);
      if (users.some((u) => u.user === user)) throw new Error(`IMAP user exists already: ${user}`);
      const added = { user, password };
      await writeAccount(added);
      users.push(added);
      return added;
    },
    connect,
    createFolder: (user, folder) => withClient(user, (client) => ensureFolder(client, folder)),
    append: (user, folder, rawMessage, flags = []) =>
      withClient(user, async (client) => {
        const target = await ensureFolder(client, folder);
        const result = await client.append(target, rawMessage, flags);
        if (!result || result.uid === undefined) throw new Error(`APPEND to ${target} returned no UID`);
        return result.uid;
      }),
    list: (user, folder) =>
      withClient(user, async (client) => {
        const target = await mailboxPath(client, folder);
        if (!(await client.list()).some((m) => m.path === target)) return [];
        const lock = await client.getMailboxLock(target, { readOnly: true });
        try {
          const messages = await client.fetchAll('1:*', { uid: true, flags: true, envelope: true, source: true });
          return messages
            .map((m) => ({
              uid: m.uid,
              // \Recent belongs to one session (and is gone from IMAP4rev2): not a message's state.
              flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
              subject: m.envelope?.subject,
              messageId: m.envelope?.messageId,
              source: m.source?.toString('utf8') ?? '',
            }))
            .sort((a, b) => a.uid - b.uid);
        } finally {
          lock.release();
        }
      }),
    log: () => readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(doveadm, ['-c', confPath, 'stop']);
      } catch {
        child?.kill('SIGTERM');
      }
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
