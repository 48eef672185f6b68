/**
 * Loaded by `npm start`'s preload (scripts/compile-cache.ts): resolves the relative imports
 * between drizzle-orm's own modules without Node's resolver (decision 0059).
 *
 * For every `.js` module it resolves or loads, Node 24 looks up the package's package.json and
 * parses its `exports` again (getPackageScopeConfig spreads the lazily parsed fields). drizzle-
 * orm's exports map is 130 KB and the server loads 108 of its modules: that was about 0.8 s of
 * CPU and most of the garbage collection of the server's module loading. A relative specifier
 * inside an ES module package needs none of it: it is the file next to its importer, an ES
 * module because the package says `"type": "module"` (checked once, here). Everything else,
 * and drizzle-orm's own imports of other packages, goes through Node's resolver as before.
 */
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/** drizzle-orm's folder (where its entry and package.json are) as a file URL ending in `/`, or null. */
function drizzleFolder(): string | null {
  try {
    const folder = new URL('./', import.meta.resolve('drizzle-orm')).href;
    const manifest = JSON.parse(readFileSync(new URL('package.json', folder), 'utf8')) as {
      name?: string;
      type?: string;
    };
    return manifest.name === 'drizzle-orm' && manifest.type === 'module' ? folder : null;
  } catch {
    return null;
  }
}

const folder = drizzleFolder();
if (folder) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent?.startsWith(folder) && /^\.\.?\/.*\.js$/.test(specifier)) {
        const url = new URL(specifier, parent).href;
        if (url.startsWith(folder)) return { url, format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}
