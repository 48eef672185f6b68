/**
 * Preloaded by `npm start` (`node --import`): turns on Node's on-disk compile cache before the
 * server's module graph is loaded, so a restart reuses the compiled code of several hundred
 * modules instead of compiling them again (docs/decisions/0050). The cache lives in the
 * system's temporary folder (or NODE_COMPILE_CACHE) and is checked against each file's contents.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
