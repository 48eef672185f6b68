/**
 * Decision 0050: `npm ci` builds the web app (the root `prepare`), `npm start` only checks it,
 * and the end-to-end step fails loudly on a failed build. The build itself is exercised by
 * every `npm ci`; these check the wiring and the cases a build must not run in.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

/** A folder holding the repository's scripts/ and what else `files` names. */
async function sandbox(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'laneway-start-'));
  scratch.push(dir);
  await cp(path.join(root, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('start scripts (decision 0050)', () => {
  it('package.json: prepare and prestart check the web build, e2e checks it strictly, start preloads the compile cache', async () => {
    const scripts = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.prepare).toBe('node scripts/build-web-if-stale.ts && node scripts/compile-cache.ts');
    expect(scripts.prestart).toBe('node scripts/build-web-if-stale.ts');
    expect(scripts.e2e).toMatch(/^node scripts\/build-web-if-stale\.ts --strict && playwright test /);
    expect(scripts.start).toBe('node --import ./scripts/compile-cache.ts server/src/main.ts');
    // The image's dependency layer runs npm ci (and so prepare) with the script copied in.
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const copy = dockerfile.indexOf('COPY scripts/build-web-if-stale.ts scripts/compile-cache.ts scripts/');
    expect(copy).toBeGreaterThan(-1);
    expect(copy).toBeLessThan(dockerfile.indexOf('npm ci --no-audit --no-fund'));
  });

  it('without web/src (an image layer with the manifests only) there is nothing to build: exit 0, no npm run', async () => {
    const dir = await sandbox({ 'web/package.json': '{"name": "web"}' });
    const { stdout, stderr } = await run(process.execPath, ['scripts/build-web-if-stale.ts', '--strict'], { cwd: dir });
    expect(stdout + stderr).toBe('');
  });

  it('a fresh build is left alone; a failed build warns at start and fails with --strict', async () => {
    // A web workspace whose build script fails, as a broken source would.
    const failing = {
      'package.json': JSON.stringify({ name: 'sandbox', private: true, type: 'module', workspaces: ['web'] }),
      'web/package.json': JSON.stringify({ name: 'web', scripts: { build: 'node -e "process.exit(3)"' } }),
      'web/src/app.html': '<html></html>',
    };
    const dir = await sandbox(failing);
    const lenient = await run(process.execPath, ['scripts/build-web-if-stale.ts'], { cwd: dir });
    expect(lenient.stderr).toMatch(/WARNING: the web app did not build/);
    await expect(
      run(process.execPath, ['scripts/build-web-if-stale.ts', '--strict'], { cwd: dir }),
    ).rejects.toMatchObject({
      code: 1,
    });
    // Built after its sources: nothing runs, strict or not.
    await mkdir(path.join(dir, 'web/build'), { recursive: true });
    await writeFile(path.join(dir, 'web/build/handler.js'), 'export {};');
    const fresh = await run(process.execPath, ['scripts/build-web-if-stale.ts', '--strict'], { cwd: dir });
    expect(fresh.stdout + fresh.stderr).toBe('');
  });

  it('npm ci fills the compile cache with the modules npm start loads (decision 0059)', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'laneway-compile-cache-'));
    scratch.push(cache);
    const env = { ...process.env, NODE_COMPILE_CACHE: cache };
    const { stdout, stderr } = await run(process.execPath, ['scripts/compile-cache.ts'], { cwd: root, env });
    expect(stdout + stderr).toBe('');
    const files = await readdir(cache, { recursive: true, withFileTypes: true });
    // Several hundred modules: the server's, the worker's, their libraries'.
    expect(files.filter((f) => f.isFile()).length).toBeGreaterThan(500);
    // Without server/src (an image's dependency layer) there is nothing to load.
    const dir = await sandbox();
    const empty = await run(process.execPath, ['scripts/compile-cache.ts'], { cwd: dir, env });
    expect(empty.stdout + empty.stderr).toBe('');
  }, 60_000);

  it("the preload's drizzle-orm shortcut resolves every module to the file Node's resolver does (decision 0059)", async () => {
    // Records each resolved URL: registered last, it runs first and sees the shortcut's answers.
    const script = `
      const { registerHooks } = await import('node:module');
      const urls = new Set();
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.add(r.url); return r; } });
      await import('@laneway/db/schema');
      await import('drizzle-orm/postgres-js');
      console.log(JSON.stringify([...urls].sort()));`;
    const resolved = async (preload: string[]) =>
      JSON.parse(
        (await run(process.execPath, [...preload, '--input-type=module', '-e', script], { cwd: root })).stdout,
      );
    const [plain, shortcut] = await Promise.all([resolved([]), resolved(['--import', './scripts/resolve-drizzle.ts'])]);
    expect(shortcut).toEqual(plain);
    expect(plain.filter((url: string) => url.includes('/node_modules/drizzle-orm/')).length).toBeGreaterThan(50);
  }, 60_000);

  it('the preload turns the compile cache on before the main module loads', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        './scripts/compile-cache.ts',
        '-e',
        'console.log(require("node:module").getCompileCacheDir() ?? "off")',
      ],
      { cwd: root },
    );
    expect(stdout.trim()).not.toBe('off');
  });
});
