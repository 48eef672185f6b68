import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { authenticate, clientIp, csrfGuard, lifetimes, writeLimit } from './auth/middleware.ts';
import { validateAccessToken } from './auth/sessions.ts';
import type { AppDeps } from './deps.ts';
import { createRouter } from './routes/create-router.ts';
import { withAuditClient } from './services/audit.ts';
import { withPublisher } from './services/publish.ts';
import { AppError, errorResponse, toAppError, unauthorized } from './lib/errors.ts';
import { healthRouter } from './routes/health/health.index.ts';
import { inboundRouter } from './routes/inbound/inbound.index.ts';
import { apiRouters } from './routes/index.ts';
import { allowedMethods } from './routes/compat.ts';

import { API_PREFIX } from './lib/api-prefix.ts';

export { API_PREFIX };
const JSON_BODY_LIMIT = 1024 * 1024;
/** Uploads: attachments, and the files of imports (into a new project or one, and previews). */
const UPLOAD_PATH = /\/(attachments|import|imports\/preview)\/?$/;

// The package exports no subpath for its browser bundle; it sits beside the exported style.css.
const scalarBundle = fileURLToPath(
  new URL('browser/standalone.js', import.meta.resolve('@scalar/api-reference/style.css')),
);
let scalarScript: Promise<Buffer> | undefined;

/**
 * The API reference page, served from this instance with nothing hosted elsewhere: the hosted
 * service's buttons (Ask AI, MCP, the developer toolbar's Deploy) lead nowhere here, so they are
 * off (issue 13 row 10). `agent` is newer than the types this adapter ships with.
 */
const DOCS_CONFIG = {
  url: '/api/openapi.json',
  cdn: '/api/docs/scalar.js',
  withDefaultFonts: false,
  pageTitle: 'Laneway API',
  favicon: '/favicon.svg',
  showDeveloperTools: 'never',
  telemetry: false,
  mcp: { disabled: true },
  agent: { disabled: true },
} as Parameters<typeof Scalar>[0];

/**
 * Builds the HTTP app around its long-lived dependencies. Nothing here opens connections:
 * `main.ts` does, so tests can build many apps against their own databases.
 */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const { config, logger } = deps;

  app.use('*', requestId());
  // Changes a request commits are published to the bus after their commit (services/publish.ts).
  // A revocation answers once its control message reached every instance (Redis acknowledged
  // it), so the next request anywhere is refused even where the session was cached (0047).
  app.use('*', async (c, next) => {
    await withPublisher(deps.bus, next, c.var.requestId);
    await deps.bus.settled?.();
  });
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const started = performance.now();
    await next();
    // The route pattern (`/api/tickets/tickets/:id/move`), not the path: bounded label values.
    deps.metrics.httpDuration.observe(
      { method: c.req.method, route: routePath(c, -1), status: c.res.status },
      (performance.now() - started) / 1000,
    );
    // Liveness probes are not logged: a health check every few seconds would bury the log.
    if (logger.isLevelEnabled('info') && c.req.path !== '/health') {
      logger.info({
        req_id: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  });
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin', referrerPolicy: 'same-origin' }));
  const corsHeaders = cors({
    origin: (origin) => (config.CORS_ALLOWED_ORIGINS.includes(origin) ? origin : null),
    credentials: true,
    allowHeaders: ['Authorization', 'Content-Type'],
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  });
  // Only cross-origin requests carry Origin; the rest skip CORS, which rewrites every response.
  app.use('/api/*', (c, next) => (c.req.header('origin') ? corsHeaders(c, next) : next()));
  const jsonBodyLimit = bodyLimit({
    maxSize: JSON_BODY_LIMIT,
    onError: () => {
      throw new AppError('payload_too_large', 'Request body too large');
    },
  });
  app.use(`${API_PREFIX}/*`, async (c, next) => {
    // Uploads (attachments, imports) stream with their own limit (MAX_UPLOAD_MB); every other
    // body is small JSON.
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || UPLOAD_PATH.test(c.req.path)) return next();
    // With a Content-Length (as browsers and HTTP clients send JSON) the header is the check:
    // Node's parser reads no more than it says. The body then stays unread until the handler
    // reads it, which @hono/node-server does straight from the socket; reading `raw.body`
    // here, as hono's bodyLimit does first, would build a web stream for every request.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!(Number(length) <= JSON_BODY_LIMIT)) throw new AppError('payload_too_large', 'Request body too large');
      return next();
    }
    return jsonBodyLimit(c, next);
  });
  app.use(`${API_PREFIX}/*`, authenticate, csrfGuard, writeLimit);
  // Audit rows name the client of the request that made the change (services/audit.ts).
  app.use(`${API_PREFIX}/*`, (c, next) =>
    withAuditClient({ ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null }, next),
  );

  app.route('/', healthRouter);
  app.route('/', inboundRouter);
  for (const router of apiRouters) app.route(API_PREFIX, router);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'The `access` token from /auth/login/ (or the session cookie in the browser).',
  });
  app.doc31('/api/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Laneway API',
      version: '1',
      description:
        'Real-time kanban ticketing. Paths accept an optional trailing slash; errors are `{"error": {"code", "message", "details"}}`.',
    },
    servers: [{ url: config.PUBLIC_URL ?? new URL(c.req.url).origin }],
    security: [{ bearer: [] }],
  }));
  app.get('/api/docs/scalar.js', async (c) => {
    scalarScript ??= readFile(scalarBundle);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(await scalarScript), 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  app.get('/api/docs', Scalar(DOCS_CONFIG));

  // Prometheus: a superuser's access token or METRICS_TOKEN (not in the OpenAPI document: it
  // is for scrapers, and its text format is Prometheus's, not JSON).
  app.get('/metrics', async (c) => {
    const token = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    const byToken = config.METRICS_TOKEN !== undefined && sameSecret(token, config.METRICS_TOKEN);
    const bySuperuser =
      !byToken && token !== '' && (await validateAccessToken(deps.db, token, lifetimes(config)))?.actor.isSuperuser;
    if (!byToken && !bySuperuser) throw unauthorized('A metrics token or a superuser token is required');
    return c.body(await deps.metrics.registry.metrics(), 200, { 'Content-Type': deps.metrics.registry.contentType });
  });

  let methodsAt: ReturnType<typeof allowedMethods> | undefined;
  app.notFound((c) => {
    // A path some route answers, asked with another method: DRF's 405 with `Allow`.
    methodsAt ??= allowedMethods(app.routes);
    const allowed = c.req.path.startsWith(API_PREFIX) ? methodsAt(c.req.path) : [];
    if (allowed.length > 0) {
      const message = `Method "${c.req.method}" not allowed.`;
      return errorResponse(c, new AppError('method_not_allowed', message, undefined, { allow: allowed.join(', ') }));
    }
    return errorResponse(c, new AppError('not_found', 'Not found'));
  });
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.status >= 500) logger.error({ req_id: c.var.requestId, err: error }, 'request failed');
    return errorResponse(c, appError);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

/** Compares secrets in time independent of where they differ (SHA-256 first: equal lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
