/**
 * Builds the web app when `web/build` is missing or older than its sources. It runs as the
 * root package's `prepare` (so `npm ci` / `npm install` leave a built app and the first
 * `npm start` starts at once: docs/decisions/0050), again as `npm start`'s prestart (a no-op
 * unless the sources changed since), and before the end-to-end tests and the web benchmark.
 * A failed build (say, dev dependencies not installed) only warns: the API starts anyway and
 * web pages answer 503 with the command to run. `--strict` makes it fail instead (tests).
 * Without `web/src` (an image's dependency layer, which has the manifests only) there is
 * nothing to build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../web/', import.meta.url));
const built = path.join(web, 'build', 'handler.js');
const sources = [
  ...['src', 'static', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((p) => path.join(web, p)),
  // The server modules the web app bundles (the rest of its server imports are types only).
  ...['wire.ts', 'events.ts', 'protocol.ts'].map((p) => path.join(web, '..', 'server', 'src', 'realtime', p)),
];

/** The newest modification time under `target` (a file or a folder), 0 when absent. */
function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const strict = process.argv.includes('--strict');
if (!existsSync(path.join(web, 'src'))) process.exit(0);
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newest));
if (builtAt > changedAt) process.exit(0);

console.log(builtAt ? 'web app sources changed: rebuilding web/build' : 'web app not built yet: building web/build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build', '-w', 'web'], { stdio: 'inherit' });
if (result.status !== 0) {
  if (strict) {
    console.error('the web app did not build');
    process.exit(1);
  }
  console.warn('WARNING: the web app did not build; the API starts, web pages answer 503 until `npm run build` works.');
}
