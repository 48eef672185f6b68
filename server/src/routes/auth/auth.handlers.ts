import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DEVICE_LIFETIME_S } from '../../auth/known-devices.ts';
import { clientIp, deviceCookie, lifetimes, ownOrigin, requireAuth, sessionCookie } from '../../auth/middleware.ts';
import type { IssuedTokens } from '../../auth/sessions.ts';
import type { AppEnv } from '../../deps.ts';
import * as auth from '../../services/auth.ts';
import * as sso from '../../services/sso.ts';
import { hasTwoFactor, mustEnrol } from '../../services/two-factor.ts';
import * as users from '../../services/users.ts';
import { instanceKey } from '../../auth/secret-key.ts';
import type {
  changePassword,
  login,
  loginSecondStep,
  logout,
  logoutAll,
  me,
  patchMe,
  refresh,
  register,
  setup,
} from './auth.routes.ts';

/** The browser's copy of the access token: HttpOnly, SameSite=Lax, `__Host-` on HTTPS. */
export function setSessionCookie(c: Context<AppEnv>, tokens: IssuedTokens) {
  const { name, secure } = sessionCookie(c);
  setCookie(c, name, tokens.access, {
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    path: '/',
    // The server enforces the sliding access expiry; the cookie only needs to outlive it.
    maxAge: c.var.deps.config.REFRESH_TOKEN_LIFETIME_DAYS * 86_400,
  });
}

/** The known-device token a successful sign-in hands out (docs/decisions/0020). */
function setDeviceCookie(c: Context<AppEnv>, token: string) {
  const { name, secure } = deviceCookie(c);
  setCookie(c, name, token, { httpOnly: true, secure, sameSite: 'Strict', path: '/', maxAge: DEVICE_LIFETIME_S });
}

/** What `auth.login` needs to know about the client. */
function client(c: Context<AppEnv>) {
  return {
    ip: clientIp(c),
    userAgent: c.req.header('user-agent') ?? null,
    device: getCookie(c, deviceCookie(c).name) ?? null,
  };
}

export const setupHandler: RouteHandler<typeof setup, AppEnv> = async (c) => {
  const { db, oidc, config } = c.var.deps;
  return c.json(
    {
      needs_setup: await auth.needsSetup(db),
      oidc: { enabled: oidc !== null, label: oidc?.label ?? null, only: oidc !== null && config.OIDC_ONLY },
    },
    200,
  );
};

export const registerHandler: RouteHandler<typeof register, AppEnv> = async (c) => {
  const { db, config, loginLimiter } = c.var.deps;
  const body = c.req.valid('json');
  // Under OIDC_ONLY accounts come from the provider; the first user (the superuser) still registers.
  await auth.register(db, body, config.ALLOW_REGISTRATION && !config.OIDC_ONLY);
  const result = await auth.login(db, loginLimiter, lifetimes(config), {
    login: body.username,
    password: body.password,
    ...client(c),
  });
  // A new account has no second factor yet.
  if ('mfaToken' in result) throw new Error('a new account has two-factor authentication');
  const { tokens, user, device } = result;
  setSessionCookie(c, tokens);
  setDeviceCookie(c, device);
  return c.json({ access: tokens.access, refresh: tokens.refresh, user: users.serializeUser(user) }, 201);
};

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const { db, config, loginLimiter } = c.var.deps;
  const body = c.req.valid('json');
  const result = await auth.login(db, loginLimiter, lifetimes(config), {
    login: (body.username ?? body.email)!,
    password: body.password,
    ...client(c),
    oidcOnly: config.OIDC_ONLY,
    newDeviceMail: { key: await instanceKey(config, 'mail'), baseUrl: ownOrigin(c) },
  });
  if ('mfaToken' in result) {
    setDeviceCookie(c, result.device);
    return c.json({ mfa_required: true as const, mfa_token: result.mfaToken }, 200);
  }
  setSessionCookie(c, result.tokens);
  setDeviceCookie(c, result.device);
  return c.json(
    { access: result.tokens.access, refresh: result.tokens.refresh, user: users.serializeUser(result.user) },
    200,
  );
};

export const loginSecondStepHandler: RouteHandler<typeof loginSecondStep, AppEnv> = async (c) => {
  const { db, config } = c.var.deps;
  const { mfa_token, ...factor } = c.req.valid('json');
  const key = await instanceKey(config, 'totp');
  const { tokens, user } = await auth.loginSecondStep(db, lifetimes(config), key, {
    mfaToken: mfa_token,
    factor,
    ip: clientIp(c),
    userAgent: c.req.header('user-agent') ?? null,
  });
  setSessionCookie(c, tokens);
  return c.json({ access: tokens.access, refresh: tokens.refresh, user: users.serializeUser(user) }, 200);
};

export const refreshHandler: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  const { db, config } = c.var.deps;
  const tokens = await auth.refresh(db, c.req.valid('json').refresh, lifetimes(config));
  setSessionCookie(c, tokens);
  return c.json({ access: tokens.access, refresh: tokens.refresh }, 200);
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
  const { actor, sessionId } = requireAuth(c);
  const { db, oidc, logger } = c.var.deps;
  const idToken = oidc ? await sso.ssoIdToken(db, sessionId) : null;
  await auth.logout(db, actor, sessionId);
  deleteCookie(c, sessionCookie(c).name, { path: '/', secure: sessionCookie(c).secure });
  // RP-initiated logout: the provider's session ends too, when it offers an end-session endpoint.
  const endSessionUrl =
    oidc && idToken
      ? await oidc.endSessionUrl(idToken, `${ownOrigin(c)}/login`).catch((err: unknown) => {
          logger.warn({ err }, 'the identity provider could not be reached for logout');
          return null;
        })
      : null;
  return c.json({ status: 'logged_out', ...(endSessionUrl ? { end_session_url: endSessionUrl } : {}) }, 200);
};

export const logoutAllHandler: RouteHandler<typeof logoutAll, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await auth.logoutAll(c.var.deps.db, actor);
  deleteCookie(c, sessionCookie(c).name, { path: '/', secure: sessionCookie(c).secure });
  return c.json({ status: 'logged_out' }, 200);
};

async function meBody(c: Context<AppEnv>, userId: number, sessionId: string) {
  const { db, config } = c.var.deps;
  const [user, ties, twoFactor] = await Promise.all([
    users.loadUser(db, userId),
    users.userTies(db, userId),
    hasTwoFactor(db, userId),
  ]);
  const actor = { id: user.id, username: user.username, isSuperuser: user.isSuperuser };
  return {
    ...users.serializeUser(user),
    ...ties,
    two_factor: twoFactor,
    mfa_setup_required: await mustEnrol(db, config, actor, sessionId),
  };
}

export const meHandler: RouteHandler<typeof me, AppEnv> = async (c) => {
  const { actor, sessionId } = requireAuth(c);
  return c.json(await meBody(c, actor.id, sessionId), 200);
};

export const patchMeHandler: RouteHandler<typeof patchMe, AppEnv> = async (c) => {
  const { actor, sessionId } = requireAuth(c);
  await users.updateProfile(c.var.deps.db, actor, c.req.valid('json'));
  return c.json(await meBody(c, actor.id, sessionId), 200);
};

export const changePasswordHandler: RouteHandler<typeof changePassword, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, config } = c.var.deps;
  const body = c.req.valid('json');
  const tokens = await auth.changePassword(db, actor.id, body.current_password, body.new_password, lifetimes(config), {
    ip: clientIp(c),
    userAgent: c.req.header('user-agent') ?? null,
  });
  setSessionCookie(c, tokens);
  return c.json({ access: tokens.access, refresh: tokens.refresh }, 200);
};
