/**
 * The web app on the API's own port: the SvelteKit build (`web/build`, adapter-node) answers
 * every path the server does not own, so the browser sees one origin, one cookie, one port
 * (decision 0013).
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { App } from './app.ts';

/** A Node request listener for the web app's paths. */
export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** adapter-node's middleware: `(req, res, next)`, `next` when no asset or route answers. */
type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => unknown;

/** `web/build` of this checkout. */
export const WEB_BUILD_DIR = fileURLToPath(new URL('../../web/build/', import.meta.url));

/**
 * Where the web app's server rendering finds the API in-process (`web/src/hooks.server.ts`
 * reads it): page loads call the API without a second HTTP hop.
 */
export const API_BRIDGE = Symbol.for('laneway.api');

/** Paths the server answers itself; every other path is the web app's. */
const SERVER_PATH = /^\/(?:api|ws|ready|db-check|metrics)(?:[/?]|$)|^\/health/;

/** True for `/api…`, `/ws…`, `/health*`, `/ready`, `/db-check`, `/metrics` (with any subpath or query). */
export function isServerPath(url: string | undefined): boolean {
  return url === undefined || SERVER_PATH.test(url);
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Laneway: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The web app is not built</h1>
<p>The API is running (<a href="/api/docs">/api/docs</a>), but <code>web/build</code> is missing.
Run <code>npm run build -w web</code> (or <code>npm run build</code>) and restart Laneway.</p>
</body></html>
`;

/** Answers every web path with a short 503 page while `web/build` does not exist. */
export const missingBuildHandler: WebHandler = (req, res) => {
  res.writeHead(503, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': '60',
  });
  res.end(req.method === 'HEAD' ? undefined : MISSING_BUILD_PAGE);
};

/**
 * Loads the built web app from `dir` and connects its server rendering to `app`. Without a
 * build, logs how to make one and returns the 503 handler: the API still starts.
 */
export async function loadWebApp(app: App, logger: Logger, dir: string = WEB_BUILD_DIR): Promise<WebHandler> {
  const entry = new URL('handler.js', pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`));
  if (!existsSync(entry)) {
    logger.warn({ dir }, 'web app not built: run `npm run build -w web`; web pages answer 503 until then');
    return missingBuildHandler;
  }
  (globalThis as Record<symbol, unknown>)[API_BRIDGE] = (request: Request) => {
    // adapter-node calls the page's origin https:// unless told otherwise; the API must see
    // the request as @hono/node-server would (plain HTTP here), or it would look for the
    // `__Host-` cookie of an HTTPS origin. PUBLIC_URL, when set, decides that as usual.
    const url = new URL(request.url);
    return app.fetch(new Request(new URL(url.pathname + url.search, `http://${url.host}`), request));
  };
  const { handler } = (await import(entry.href)) as { handler: NodeMiddleware };
  return (req, res) => {
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
    };
    try {
      const pending = handler(req, res, notFound);
      if (pending instanceof Promise) pending.catch((error: unknown) => failed(error, res, logger));
    } catch (error) {
      failed(error, res, logger);
    }
  };
}

function failed(error: unknown, res: ServerResponse, logger: Logger): void {
  logger.error({ err: error }, 'web request failed');
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end();
}
