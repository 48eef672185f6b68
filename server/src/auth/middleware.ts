import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../deps.ts';
import { AppError, unauthorized } from '../lib/errors.ts';
import type { Config } from '../env.ts';
import { API_PREFIX } from '../lib/api-prefix.ts';
import { mustEnrol } from '../services/two-factor.ts';
import { tokenMayCall } from './api-tokens.ts';
import { validateCredential } from './credentials.ts';
import type { AuthState, SessionLifetimes } from './sessions.ts';

/** Session lifetimes from configuration. */
export function lifetimes(config: Config): SessionLifetimes {
  return {
    accessMs: config.ACCESS_TOKEN_LIFETIME_MINUTES * 60_000,
    refreshMs: config.REFRESH_TOKEN_LIFETIME_DAYS * 86_400_000,
  };
}

/** The app's own origin: PUBLIC_URL when set, else the origin the request was addressed to. */
export function ownOrigin(c: Context<AppEnv>): string {
  const configured = c.var.deps.config.PUBLIC_URL;
  return configured ? new URL(configured).origin : new URL(c.req.url).origin;
}

/** `__Host-` cookies require HTTPS; on plain-http localhost the prefix (and Secure) is dropped. */
export function sessionCookie(c: Context<AppEnv>) {
  const secure = ownOrigin(c).startsWith('https:');
  return { name: secure ? '__Host-session' : 'session', secure };
}

/**
 * The known-device cookie (docs/decisions/0020): `__Host-device` on HTTPS, like the session's.
 * SameSite=Strict: only our own sign-in page sends it.
 */
export function deviceCookie(c: Context<AppEnv>) {
  const { secure } = sessionCookie(c);
  return { name: secure ? '__Host-device' : 'device', secure };
}

/** The client's address: the socket's, or the last X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>): string {
  if (c.var.deps.config.TRUST_PROXY_HEADERS) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The token of an `Authorization: Bearer` header, or null for any other scheme or none. */
function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  return header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : null;
}

/**
 * Resolves `Authorization: Bearer` or the session cookie to `c.var.auth` (null when absent or
 * invalid). Routes that need a user call `requireAuth`. A Bearer token that does not validate
 * leaves the request unauthenticated: it never falls back to the cookie, since the client
 * chose the token. Any other `Authorization` scheme (Basic from a proxy in front of the app,
 * say) is not ours and is ignored: the cookie, if any, authenticates, under its CSRF check.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const bearer = bearerToken(c);
  // An API token is only ever a Bearer credential: a cookie holding one is not ours.
  const cookie = bearer === null ? getCookie(c, sessionCookie(c).name) : undefined;
  const token = bearer ?? (cookie?.startsWith('lw_') ? undefined : cookie);
  const via: AuthState['via'] = bearer === null ? 'cookie' : 'bearer';
  let auth: AuthState | null = null;
  if (token) {
    const { db, config, credentialCache } = c.var.deps;
    const found = await validateCredential(db, token, lifetimes(config), credentialCache);
    if (found) auth = { ...found, via };
  }
  c.set('auth', auth);
  if (auth?.token) {
    const verdict = tokenMayCall(auth.token.scope, c.req.method, c.req.path.slice(API_PREFIX.length));
    if (verdict === 'read-only') throw new AppError('forbidden', 'This API token is read-only');
    if (verdict === 'account') throw new AppError('forbidden', 'API tokens cannot manage the account; sign in');
  }
  if (auth && !mayEnrolHere(c.req.path.slice(API_PREFIX.length))) {
    if (await mustEnrol(c.var.deps.db, c.var.deps.config, auth.actor, auth.sessionId)) {
      throw new AppError('mfa_setup_required', 'Turn on two-factor authentication first (on your account page)');
    }
  }
  await next();
};

/** What a user whom REQUIRE_2FA covers may call before enrolling (SPEC §11). */
function mayEnrolHere(path: string): boolean {
  const clean = path.replace(/\/+$/, '');
  return clean === '/auth/me' || clean.startsWith('/auth/2fa/') || clean === '/auth/logout';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Rate limits by role for unsafe requests (SPEC §11): per API token, else per user, with the
 * staff, company-people or token budget a minute (RATE_LIMIT_WRITES_PER_MINUTE); Redis-backed
 * when configured, so every instance counts together. Staff are superusers and anyone with a
 * project role; everyone else signed in counts as company people.
 */
export const writeLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.var.auth;
  if (!auth || SAFE_METHODS.has(c.req.method)) return next();
  const { writeLimiter } = c.var.deps;
  if (auth.token) await writeLimiter.token.charge(`token:${auth.token.id}`);
  else if (auth.staff) await writeLimiter.staff.charge(`user:${auth.actor.id}`);
  else await writeLimiter.company.charge(`user:${auth.actor.id}`);
  return next();
};

/**
 * CSRF defence for cookie-authenticated requests of every content type (hono/csrf only covers
 * form posts): an unsafe request carrying the session cookie must come from our own origin or
 * a configured one, by `Origin`, or, with no `Origin`, by `Sec-Fetch-Site: same-origin` (every
 * browser sends `Origin` on unsafe requests, so a request with neither is not one of our pages).
 *
 * Only a request that *authenticated* by Bearer is exempt: a browser cannot attach a Bearer
 * token cross-site. The mere presence of an `Authorization` header proves nothing: a browser
 * adds `Basic` credentials it has cached for the site by itself, on forged requests too
 * (issue 14, row 1). With a cookie and a non-Bearer header we ignore the header and apply the
 * cookie's check rather than answer 401: it is as safe (the cookie is what authenticates, so
 * its check is what matters), and a deployment behind a Basic-auth proxy, whose browsers send
 * `Basic` on every request, keeps working. A Bearer token that did not validate is no
 * exemption either: it runs after `authenticate`, so it sees how the request authenticated.
 */
export const csrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || c.var.auth?.via === 'bearer') return next();
  if (!getCookie(c, sessionCookie(c).name)) return next();
  const origin = c.req.header('origin');
  const allowed = new Set([ownOrigin(c), ...c.var.deps.config.CORS_ALLOWED_ORIGINS]);
  const fetchSite = c.req.header('sec-fetch-site');
  const ok = origin ? allowed.has(origin) : fetchSite === 'same-origin';
  if (!ok) throw new AppError('forbidden', 'Cross-site request refused (origin check)');
  return next();
};

/** The signed-in actor, or a 401. */
export function requireAuth(c: Context<AppEnv>): AuthState {
  const auth = c.var.auth;
  if (!auth) throw unauthorized();
  return auth;
}
