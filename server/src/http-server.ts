import { randomUUID } from 'node:crypto';
import { createServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
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

/** How long a closing connection keeps reading what the client still sends (see `lingeringClose`). */
const LINGER_MS = 5_000;

/**
 * Whether the request's body has been received and read to its end (or it has none), so the
 * connection is ready for the client's next request once the answer is sent.
 */
function bodyFinished(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  // `complete` is set only after the request handler first runs: a bodiless request answered
  // at once (the /health fast path) is not complete yet, but has nothing left to read.
  return !hasBody || (req.complete && req.readableLength === 0);
}

/**
 * Closes a connection whose answer went out before the request's body was read, the way
 * nginx's lingering close does: our side ends after the answer (FIN), and what the client
 * still sends of the body is read and dropped until it is all in (or LINGER_MS), and only
 * then is the socket closed. Closing with unread bytes would send a TCP reset, and a client
 * still uploading could lose the answer to it.
 */
function lingeringClose(req: IncomingMessage): void {
  const socket = req.socket;
  let lingering = false;
  // Node's server, and @hono/node-server's 500 ms drain timeout, close the socket with
  // `destroySoon()`: both now linger instead.
  socket.destroySoon = () => {
    if (lingering) return;
    lingering = true;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    // The framework's body stream pauses the request whenever its own queue is full; its
    // reader is gone now, so drop it and let the rest of the body flow into nothing.
    req.removeAllListeners('data');
    req.on('data', () => {});
    req.once('end', () => socket.destroy());
    req.once('error', () => socket.destroy());
    req.resume();
  };
}

/**
 * A response that says `Connection: close` when it is sent before the request's body was read
 * (a 413, a refusal before the body is parsed). @hono/node-server stops reading such a body
 * and drops the socket 500 ms after the answer, so announcing keep-alive would be a lie: the
 * client's next request on that socket would go unanswered (issue 14, row 3).
 */
class ClosingResponse extends ServerResponse {
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    if (!this.headersSent && this.shouldKeepAlive && !bodyFinished(this.req)) {
      this.shouldKeepAlive = false;
      lingeringClose(this.req);
    }
    return super.writeHead(statusCode, ...(rest as [OutgoingHttpHeaders]));
  }
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

  const server = createServer({ ServerResponse: ClosingResponse }, (req, res) => {
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
