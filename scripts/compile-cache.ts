/**
 * Preloaded by `npm start` (`node --import`): turns on Node's on-disk compile cache before the
 * server's module graph is loaded, so a restart reuses the compiled code of several hundred
 * modules instead of compiling them again (docs/decisions/0050). The cache lives in the
 * system's temporary folder (or NODE_COMPILE_CACHE) and is checked against each file's contents.
 *
 * Run by itself (`node scripts/compile-cache.ts`, the second half of `npm ci`'s `prepare`), it
 * fills the cache: it loads the modules `npm start` loads and writes their compiled code, so
 * the first start after an install does not compile them either (decision 0059).
 * It also installs scripts/resolve-drizzle.ts's shortcut, for the start and for the filling. Loading only
 * evaluates their top level (no database, no server); a failure only warns, as the start would
 * compile what is missing. Without `server/src` (an image's dependency layer) it does nothing.
 */
import { existsSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from 'node:module';
import './resolve-drizzle.ts';

enableCompileCache();

/** What `server/src/main.ts` and `server/src/database.ts` load, relative to this folder. */
const SERVER_MODULES = [
  '../server/src/app.ts',
  '../server/src/deps.ts',
  '../server/src/http-server.ts',
  '../server/src/realtime/server.ts',
  '../server/src/web.ts',
  '../workers/src/worker.ts',
  '../db/src/embedded.ts',
  '../db/src/migrate.ts',
];

if (import.meta.main && existsSync(new URL('../server/src', import.meta.url))) {
  try {
    // Not main.ts itself, which would start the server (a few lines, compiled at each start).
    for (const entry of SERVER_MODULES) await import(new URL(entry, import.meta.url).href);
    flushCompileCache();
  } catch (error) {
    console.warn(`WARNING: could not fill the compile cache (npm start compiles instead): ${String(error)}`);
  }
  // Some modules start timers or connections when loaded: leave without waiting for them.
  process.exit(0);
}
