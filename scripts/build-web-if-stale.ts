/**
 * `npm start`'s prestart: builds the web app when `web/build` is missing or older than its
 * sources, so a fresh clone serves pages on the first start (decision 0013). A failed build
 * (say, dev dependencies not installed) only warns: the API starts anyway and web pages answer
 * 503 with the command to run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../web/', import.meta.url));
const built = path.join(web, 'build', 'handler.js');
const sources = ['src', 'static', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((p) => path.join(web, p));

/** The newest modification time under `target` (a file or a folder), 0 when absent. */
function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newest));
if (builtAt > changedAt) process.exit(0);

console.log(builtAt ? 'web app sources changed: rebuilding web/build' : 'web app not built yet: building web/build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build', '-w', 'web'], { stdio: 'inherit' });
if (result.status !== 0) {
  console.warn('WARNING: the web app did not build; the API starts, web pages answer 503 until `npm run build` works.');
}
