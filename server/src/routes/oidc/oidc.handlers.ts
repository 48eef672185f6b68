import type { RouteHandler } from '@hono/zod-openapi';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientIp, lifetimes, ownOrigin, requireAuth, sessionCookie } from '../../auth/middleware.ts';
import { failureReason, OidcFailure, type OidcIdentity } from '../../auth/oidc.ts';
import type { AppEnv } from '../../deps.ts';
import { API_PREFIX } from '../../lib/api-prefix.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { safeNextPath } from '../../lib/safe-redirect.ts';
import * as sso from '../../services/sso.ts';
import type { listIdentities, oidcCallback, oidcLink, oidcLogin, unlinkIdentity } from './oidc.routes.ts';

/** Where the provider sends the browser back: registered at the provider exactly so. */
function redirectUri(c: Context<AppEnv>): string {
  return `${ownOrigin(c)}${API_PREFIX}/auth/oidc/callback/`;
}

/**
 * The browser's half of `state`: the callback must come to the browser that started the sign-in
 * (a callback URL sent to someone else signs nobody in: login CSRF). Lax, so the provider's
 * top-level redirect back carries it.
 */
function stateCookie(c: Context<AppEnv>) {
  const { secure } = sessionCookie(c);
  return { name: secure ? '__Host-oidc_state' : 'oidc_state', secure };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page every failure answers with: what happened in words, and the way back. */
function failurePage(c: Context<AppEnv>, status: 400 | 403 | 404 | 502, title: string, message: string) {
  c.header('cache-control', 'no-store');
  return c.html(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Laneway</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.3rem}a{color:#2563eb}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>
<p><a href="/login">Back to sign in</a></p></main></body></html>`,
    status,
  );
}

const notConfigured = (c: Context<AppEnv>) =>
  failurePage(c, 404, 'Single sign-on is off', 'This Laneway does not use single sign-on. Sign in with your password.');

const unreachable = (c: Context<AppEnv>) =>
  failurePage(
    c,
    502,
    'The identity provider did not answer',
    'Laneway could not reach your identity provider. Try again in a moment, or ask an administrator.',
  );

/** Starts a sign-in (or a link, with `linkUserId`) and returns the provider's URL. */
async function begin(c: Context<AppEnv>, next: string, linkUserId: number | null): Promise<string> {
  const { db, oidc } = c.var.deps;
  const start = await oidc!.start(redirectUri(c));
  await sso.rememberLogin(db, start, next, linkUserId);
  const { name, secure } = stateCookie(c);
  setCookie(c, name, start.state, { httpOnly: true, secure, sameSite: 'Lax', path: '/', maxAge: sso.LOGIN_TTL_S });
  return start.url.href;
}

export const loginHandler: RouteHandler<typeof oidcLogin, AppEnv> = async (c) => {
  const { oidc, logger } = c.var.deps;
  if (!oidc) return notConfigured(c);
  const wanted = c.req.valid('query').next;
  const next = wanted === undefined || wanted === '' ? '/' : safeNextPath(wanted);
  if (!next) {
    return failurePage(c, 400, 'That sign-in link is not valid', 'It would lead away from Laneway after signing in.');
  }
  let url: string;
  try {
    url = await begin(c, next, null);
  } catch (err) {
    logger.warn({ err }, 'single sign-on: the identity provider could not be reached');
    return unreachable(c);
  }
  return c.redirect(url, 302);
};

export const linkHandler: RouteHandler<typeof oidcLink, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  if (!c.var.deps.oidc) throw notFound('Single sign-on is not configured');
  try {
    return c.json({ url: await begin(c, '/account/sso?linked=1', actor.id) }, 200);
  } catch (err) {
    c.var.deps.logger.warn({ err }, 'single sign-on: the identity provider could not be reached');
    throw new AppError('unavailable', 'The identity provider could not be reached');
  }
};

const EXPIRED =
  'This sign-in was not started in this browser, was already used, or took longer than ten minutes. Start again.';

/** The provider's refusals, in words for the person who was sent back. */
function providerRefusal(c: Context<AppEnv>, failure: OidcFailure) {
  if (failure.error === 'access_denied') {
    return failurePage(c, 403, 'Sign-in cancelled', 'The sign-in was cancelled or refused at your identity provider.');
  }
  return failurePage(
    c,
    400,
    'The identity provider refused the sign-in',
    `It said: ${failure.message}. Start again from the sign-in page.`,
  );
}

export const callbackHandler: RouteHandler<typeof oidcCallback, AppEnv> = async (c) => {
  const { db, oidc, config, logger } = c.var.deps;
  if (!oidc) return notConfigured(c);
  const query = c.req.valid('query');
  const cookie = stateCookie(c);
  const browserState = getCookie(c, cookie.name);
  deleteCookie(c, cookie.name, { path: '/', secure: cookie.secure });
  const state = query.state ?? '';
  const encoder = new TextEncoder();
  // The state must be this browser's (the cookie) and one that Laneway issued and has not used.
  if (!state || !browserState || !constantTimeEqual(encoder.encode(state), encoder.encode(browserState))) {
    await sso.recordFailure(db, { reason: 'state does not match this browser' });
    return failurePage(c, 400, 'Sign-in link expired', EXPIRED);
  }
  const started = await sso.takeLogin(db, state);
  if (!started) {
    await sso.recordFailure(db, { reason: 'unknown, used or expired state' });
    return failurePage(c, 400, 'Sign-in link expired', EXPIRED);
  }

  let identity: OidcIdentity;
  try {
    const callbackUrl = new URL(redirectUri(c));
    callbackUrl.search = new URL(c.req.url).search;
    identity = await oidc.finish(callbackUrl, {
      state,
      codeVerifier: started.codeVerifier,
      nonce: started.nonce,
    });
  } catch (err) {
    if (err instanceof OidcFailure) {
      await sso.recordFailure(db, { reason: `${err.error}: ${err.message}` });
      return providerRefusal(c, err);
    }
    const message = failureReason(err);
    await sso.recordFailure(db, { reason: message });
    // A network failure on the way to the provider, rather than an answer that failed a check.
    if (err instanceof TypeError && /fetch failed|network|timeout/i.test(message)) {
      logger.warn({ err }, 'single sign-on: the identity provider could not be reached');
      return unreachable(c);
    }
    logger.warn({ err }, 'single sign-on: the identity provider answer failed a check');
    return failurePage(
      c,
      400,
      'Sign-in could not be verified',
      `The identity provider's answer did not pass Laneway's checks (${message}). Start again, or ask an administrator.`,
    );
  }

  try {
    if (started.linkUserId !== null) {
      await sso.linkToUser(db, started.linkUserId, identity);
      return c.redirect(started.next, 302);
    }
    const { tokens } = await sso.signIn(db, config, lifetimes(config), identity, {
      ip: clientIp(c),
      userAgent: c.req.header('user-agent') ?? null,
    });
    const { name, secure } = sessionCookie(c);
    setCookie(c, name, tokens.access, {
      httpOnly: true,
      secure,
      sameSite: 'Lax',
      path: '/',
      maxAge: config.REFRESH_TOKEN_LIFETIME_DAYS * 86_400,
    });
    return c.redirect(started.next, 302);
  } catch (err) {
    if (!(err instanceof AppError)) {
      logger.error({ err }, 'single sign-on: signing in failed');
      return failurePage(c, 400, 'Sign-in failed', 'Laneway could not finish the sign-in. Try again in a moment.');
    }
    await sso.recordFailure(db, {
      reason: err.message,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
    });
    return failurePage(c, 403, 'Sign-in refused', err.message);
  }
};

export const listIdentitiesHandler: RouteHandler<typeof listIdentities, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await sso.listIdentities(c.var.deps.db, actor), 200);
};

export const unlinkIdentityHandler: RouteHandler<typeof unlinkIdentity, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await sso.unlinkIdentity(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
