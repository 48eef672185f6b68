import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { App } from './app.ts';
import type { Realtime } from './realtime/server.ts';
import { isServerPath, type WebHandler } from './web.ts';

/** Headers of the app's own /health answer that differ per response: not copied. */
const DYNAMIC_HEADERS = new Set(['date', 'content-length', 'x-request-id', 'connection', 'keep-alive']);
/** The same rule as hono's requestId(): a client's id is kept when short and plain. */
const PLAIN_ID = /[^\w\-=]/;
const MAX_ID_LENGTH = 255;

export interface HttpServerOptions {
  /** Host name for request URLs when a request has no Host header (as `serve()` passes it). */
  hostname?: string;
  /** The WebSocket endpoint (`/ws/…`) on the same port. */
  realtime?: Realtime;
  /** The web app (`web.ts`): every path that is not the server's own (`isServerPath`). */
  web?: WebHandler;
}

interface HealthAnswer {
  /** Flat `[name, value, …]` list: the app's /health headers minus the dynamic ones. */
  headers: string[];
  body: Buffer;
}

/**
 * Asks the app itself for /health once, so the fast path sends the same status, body and
 * headers (secureHeaders, content type) as the app: the two cannot drift apart. Null when the
 * app's /health is not a plain 200, in which case every request goes to the app.
 */
async function healthAnswer(app: App): Promise<HealthAnswer | null> {
  const res = await app.request('http://localhost/health', { headers: { 'x-request-id': 'http-server-startup' } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return null;
  const headers: string[] = [];
  res.headers.forEach((value, name) => {
    if (!DYNAMIC_HEADERS.has(name)) headers.push(name, value);
  });
  return { headers, body };
}

/** `/health`, `/health/`, each with any query string: the paths the app's /health route answers. */
function isHealthPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith('/health')) return false;
  const rest = url.slice(7);
  return rest === '' || rest === '/' || rest[0] === '?' || rest.startsWith('/?');
}

/**
 * The HTTP server for the app. `GET`/`HEAD /health` (the liveness probe, no I/O) is answered
 * here without the framework, with the app's own headers and body; the web app's paths go to
 * `web`; everything else goes to Hono through `@hono/node-server`'s request listener;
 * WebSocket upgrades go to `realtime`.
 * Not listening yet: call `listen()`.
 */
export async function createHttpServer(app: App, options: HttpServerOptions = {}): Promise<Server> {
  const hono = getRequestListener(app.fetch, { hostname: options.hostname });
  const { web } = options;
  const health = await healthAnswer(app);

  // Liveness probes are not logged (nor are they by the app): a container health check every
  // few seconds would bury the request log.
  const answerHealth = (req: IncomingMessage, res: ServerResponse) => {
    let id = req.headers['x-request-id'];
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH || PLAIN_ID.test(id)) id = randomUUID();
    const headers = health!.headers.slice();
    headers.push('x-request-id', id, 'content-length', String(health!.body.length));
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(health!.body);
  };

  const server = createServer((req, res) => {
    // Once closing, finish this request and then the connection, so shutdown is not held up
    // by keep-alive sockets.
    if (!server.listening) res.shouldKeepAlive = false;
    if (health && (req.method === 'GET' || req.method === 'HEAD') && isHealthPath(req.url)) answerHealth(req, res);
    else if (web && !isServerPath(req.url)) web(req, res);
    else void hono(req, res);
  });
  const { realtime } = options;
  if (realtime) server.on('upgrade', (req, socket, head) => realtime.handleUpgrade(req, socket, head));
  return server;
}

/**
 * Stops accepting connections and resolves once every open request has been answered and every
 * connection closed. Idle keep-alive connections are closed at once and again as in-flight
 * requests finish, rather than after their keep-alive timeout.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    server.close((error) => {
      clearInterval(sweep);
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
