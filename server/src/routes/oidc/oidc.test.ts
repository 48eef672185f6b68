/**
 * Single sign-on (SPEC §12) against a real OpenID provider: panva's oidc-provider on loopback
 * (test/peers/oidc.ts), signed into through its own login page. Token checks are tested by
 * swapping the ID token in the provider's real token response (openid-client's customFetch),
 * as a compromised network or provider would.
 */
import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestResponse } from '../../../../test/harness.ts';
import { DEFAULT_OIDC_USERS, startOidcProvider, type OidcPeer, type OidcUser } from '../../../../test/peers/oidc.ts';
import { createOidc } from '../../auth/oidc.ts';
import type { Config } from '../../env.ts';

const CALLBACK = 'http://laneway.test/api/tickets/auth/oidc/callback/';
const password = 'correct horse battery';

const USERS: OidcUser[] = [
  ...DEFAULT_OIDC_USERS,
  { sub: 'carol', email: 'carol@acme.test', email_verified: true, name: 'Carol Client', groups: [] },
  { sub: 'dave', email: 'dave@foreign.test', email_verified: true, name: 'Dave Foreign', groups: [] },
  { sub: 'erin', email: 'erin@example.com', email_verified: true, name: 'Erin Existing', groups: [] },
  { sub: 'frank-idp', email: 'frank@elsewhere.test', email_verified: false, name: 'Frank', groups: [] },
];

let oidc: OidcPeer;
let t: TestApp;
let root: string;

beforeAll(async () => {
  oidc = await startOidcProvider({ redirectUris: [CALLBACK], postLogoutRedirectUris: ['http://laneway.test/login'] });
  oidc.setUsers(USERS);
  t = await createTestApp({
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_AUTO_PROVISION: 'true',
    OIDC_ALLOWED_DOMAINS: 'example.com, acme.test',
    OIDC_SUPERUSER_GROUPS: 'laneway-admins',
    OIDC_BUTTON_LABEL: 'Sign in with Acme ID',
  });
  await t.post('/auth/register/', { username: 'root', email: 'root@laneway.test', password });
  root = (await t.post('/auth/login/', { username: 'root', password })).body.access;
});
afterAll(async () => {
  await t?.close();
  await oidc?.stop();
});

/** GET /auth/oidc/login/: the provider's URL and this browser's state cookie. */
async function begin(next?: string) {
  const res = await t.get(`/auth/oidc/login/${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
  expect(res.status, String(res.body)).toBe(302);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oidc_state='))!;
  return { location: res.headers.get('location')!, cookie: cookie.split(';')[0]! };
}

/** The provider's answer brought back to Laneway by the same browser (its cookie). */
function callback(url: URL, cookie?: string): Promise<TestResponse<string>> {
  return t.get(`/auth/oidc/callback/${url.search}`, cookie ? { headers: { cookie } } : {});
}

/** A whole sign-in as `login` at the provider; returns Laneway's answer to the callback. */
async function ssoSignIn(login: string, next?: string) {
  const { location, cookie } = await begin(next);
  return callback(await oidc.signIn(location, login), cookie);
}

function sessionOf(res: TestResponse): string | undefined {
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith('session='))
    ?.split(';')[0]
    ?.slice('session='.length);
}

async function me(session: string) {
  return t.get('/auth/me/', { headers: { cookie: `session=${session}` } });
}

async function identityCount(sub: string): Promise<number> {
  const [row] = await t.sql`select count(*)::int as n from user_identities where subject = ${sub}`;
  return row!.n;
}

/** Expects the failure page: its status, a phrase of its message, and no session. */
function expectRefused(res: TestResponse<string>, status: number, phrase: RegExp) {
  expect(res.status, res.body).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(res.body).toMatch(phrase);
  expect(res.body).toContain('href="/login"');
  expect(sessionOf(res)).toBeUndefined();
}

describe('single sign-on: accounts', () => {
  it('GET /auth/setup/ says that SSO is on and its label', async () => {
    const res = await t.get('/auth/setup/');
    expect(res.body).toEqual({
      needs_setup: false,
      oidc: { enabled: true, label: 'Sign in with Acme ID', only: false },
    });
  });

  it('redirects to the provider with code + PKCE (S256), state and nonce', async () => {
    const { location } = await begin();
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(`${oidc.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: oidc.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p)).toMatch(/^[\w-]{40,}$/);
  });

  it('first sign-in provisions the account (superuser by group), the second signs into the same one; both audited', async () => {
    const first = await ssoSignIn('alice', '/projects/');
    expect(first.status, first.body).toBe(302);
    expect(first.headers.get('location')).toBe('/projects/');
    const session = sessionOf(first)!;
    const who = await me(session);
    expect(who.body).toMatchObject({
      username: 'alice',
      email: 'alice@example.com',
      name: 'Alice Admin',
      is_superuser: true,
    });

    const second = await ssoSignIn('alice');
    expect(second.headers.get('location')).toBe('/');
    expect((await me(sessionOf(second)!)).body.id).toBe(who.body.id);
    expect(await identityCount('alice')).toBe(1);

    const audit = await t.sql`select action, data from audit_log where actor_id = ${who.body.id} order by id`;
    const logins = audit.filter((r) => r.action === 'auth.login');
    expect(logins).toHaveLength(2);
    expect(logins[0]!.data).toEqual({ method: 'oidc', issuer: oidc.issuer, subject: 'alice' });
    expect(audit.map((r) => r.action)).toContain('user.created');
  });

  it('links an existing account on a verified matching address, and never on an unverified one', async () => {
    const erin = await t.post('/users/', { username: 'erin', email: 'Erin@Example.com', password }, { token: root });
    const linked = await ssoSignIn('erin');
    expect(linked.status).toBe(302);
    expect((await me(sessionOf(linked)!)).body.id).toBe(erin.body.id);

    await t.post('/users/', { username: 'bob', email: 'bob@example.com', password }, { token: root });
    const refused = await ssoSignIn('bob');
    expectRefused(refused, 403, /has not verified bob@example\.com/);
    expect(await identityCount('bob')).toBe(0);
  });

  it('refuses a domain that is not allowed, with provisioning on', async () => {
    expectRefused(await ssoSignIn('dave'), 403, /@foreign\.test addresses are not created here/);
    const [row] = await t.sql`select count(*)::int as n from users where email = 'dave@foreign.test'`;
    expect(row!.n).toBe(0);
    const [failed] = await t.sql`select data from audit_log where action = 'auth.sso_failed' order by id desc limit 1`;
    expect(failed!.data).toMatchObject({ issuer: oidc.issuer, subject: 'dave' });
  });

  it("makes a company domain's new account a user of that company", async () => {
    const company = await t.post('/companies/', { name: 'Acme', domains: ['acme.test'] }, { token: root });
    expect(company.status, JSON.stringify(company.body)).toBe(201);
    const res = await ssoSignIn('carol');
    expect(res.status, res.body).toBe(302);
    const who = await me(sessionOf(res)!);
    expect(who.body.companies).toEqual([{ company: company.body.id, role: 'user' }]);
    expect(who.body.is_superuser).toBe(false);
  });

  it('a group change takes superuser away at the next sign-in', async () => {
    expect((await me(sessionOf(await ssoSignIn('alice'))!)).body.is_superuser).toBe(true);
    oidc.setUsers(USERS.map((u) => (u.sub === 'alice' ? { ...u, groups: ['staff'] } : u)));
    try {
      const who = await me(sessionOf(await ssoSignIn('alice'))!);
      expect(who.body.is_superuser).toBe(false);
    } finally {
      oidc.setUsers(USERS);
    }
    expect((await me(sessionOf(await ssoSignIn('alice'))!)).body.is_superuser).toBe(true);
  });

  it('links from the account while signed in, signs in by it, and unlinks', async () => {
    const frank = await t.post(
      '/users/',
      { username: 'frank', email: 'frank@laneway.test', password },
      { token: root },
    );
    const token = (await t.post('/auth/login/', { username: 'frank', password })).body.access;
    const started = await t.post('/auth/oidc/link/', undefined, { token });
    expect(started.status).toBe(200);
    const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
    // Unverified at the provider and another address: linking from the account is the owner's act.
    const back = await callback(await oidc.signIn(started.body.url, 'frank-idp'), cookie);
    expect(back.status, back.body).toBe(302);
    expect(back.headers.get('location')).toBe('/account/sso?linked=1');
    expect(sessionOf(back)).toBeUndefined();

    const list = await t.get('/auth/oidc/identities/', { token });
    expect(list.body).toEqual([
      expect.objectContaining({ issuer: oidc.issuer, subject: 'frank-idp', email: 'frank@elsewhere.test' }),
    ]);
    const viaSso = await ssoSignIn('frank-idp');
    expect((await me(sessionOf(viaSso)!)).body.id).toBe(frank.body.id);

    // Someone else's link is not the caller's to see or remove.
    expect((await t.del(`/auth/oidc/identities/${list.body[0].id}/`, { token: root })).status).toBe(404);
    expect((await t.del(`/auth/oidc/identities/${list.body[0].id}/`, { token })).status).toBe(204);
    expect((await t.get('/auth/oidc/identities/', { token })).body).toEqual([]);
    // Unlinked, the unverified provider account is nobody's again.
    expectRefused(await ssoSignIn('frank-idp'), 403, /has not verified|not created here/);
  });

  it('refuses to link a provider account that belongs to another user', async () => {
    const token = (await t.post('/auth/login/', { username: 'erin', password })).body.access;
    const started = await t.post('/auth/oidc/link/', undefined, { token });
    const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
    const back = await callback(await oidc.signIn(started.body.url, 'alice'), cookie);
    expectRefused(back, 403, /already linked to another Laneway account/);
  });
});

describe('single sign-on: refusals', () => {
  it('a forged state, or the callback in another browser, gets the expired page', async () => {
    const { location, cookie } = await begin();
    const answer = await oidc.signIn(location, 'alice');
    const forged = new URL(answer);
    forged.searchParams.set('state', 'forged-state-value-forged-state-value-forged');
    expectRefused(
      await callback(forged, 'oidc_state=forged-state-value-forged-state-value-forged'),
      400,
      /Start again/,
    );
    expectRefused(await callback(answer), 400, /not started in this browser/);
    expectRefused(await callback(answer, cookie.replace(/=.*/, '=other')), 400, /not started in this browser/);
  });

  it('a replayed callback or code is refused', async () => {
    const { location, cookie } = await begin();
    const answer = await oidc.signIn(location, 'alice');
    expect((await callback(answer, cookie)).status).toBe(302);
    // The same answer again: its state was used.
    expectRefused(await callback(answer, cookie), 400, /already used/);
    // The used code under a fresh state: the provider refuses it.
    const fresh = await begin();
    const replay = new URL(answer);
    replay.searchParams.set('state', new URL(fresh.location).searchParams.get('state')!);
    expectRefused(await callback(replay, fresh.cookie), 400, /refused the sign-in|did not pass/);
  });

  it('a sign-in cancelled at the provider gets a clear page', async () => {
    const { location, cookie } = await begin();
    const state = new URL(location).searchParams.get('state')!;
    const denied = new URL(`${CALLBACK}?error=access_denied&state=${state}&iss=${encodeURIComponent(oidc.issuer)}`);
    expectRefused(await callback(denied, cookie), 403, /cancelled or refused at your identity provider/);
  });

  /** Runs one sign-in whose token response carries `mint(payload)` as its ID token. */
  async function withSwappedIdToken(mint: (claims: { sub: string; nonce: string }) => string) {
    const swap: client.CustomFetch = async (url, init) => {
      const response = await fetch(url, init as RequestInit);
      if (!url.endsWith('/token')) return response;
      const body = await response.json();
      const payload = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString());
      body.id_token = mint(payload);
      return Response.json(body, { status: response.status, headers: { 'cache-control': 'no-store' } });
    };
    const original = t.runtime.deps.oidc;
    t.runtime.deps.oidc = createOidc(t.runtime.deps.config, { fetch: swap });
    try {
      return await ssoSignIn('alice');
    } finally {
      t.runtime.deps.oidc = original;
    }
  }

  it('refuses an ID token from another issuer, for another audience, expired, or signed by an unknown key', async () => {
    const cases: [string, (p: { sub: string; nonce: string }) => string, RegExp][] = [
      [
        'issuer',
        (p) =>
          oidc.mintIdToken(
            { subject: p.sub, nonce: p.nonce, issuer: 'http://127.0.0.1:9/evil', claims: { email_verified: true } },
            'provider',
          ),
        /iss/,
      ],
      [
        'audience',
        (p) => oidc.mintIdToken({ subject: p.sub, nonce: p.nonce, audience: 'someone-else' }, 'provider'),
        /aud/,
      ],
      [
        'expired',
        (p) =>
          oidc.mintIdToken(
            {
              subject: p.sub,
              nonce: p.nonce,
              expiresInSeconds: -600,
              claims: { iat: Math.floor(Date.now() / 1000) - 900 },
            },
            'provider',
          ),
        /exp|timestamp/,
      ],
      ['nonce', (p) => oidc.mintIdToken({ subject: p.sub, nonce: 'not-the-nonce' }, 'provider'), /nonce/],
      ['signature', (p) => oidc.mintIdToken({ subject: p.sub, nonce: p.nonce }, 'foreign'), /key|signature/i],
    ];
    for (const [what, mint, reason] of cases) {
      const res = await withSwappedIdToken(mint);
      expectRefused(res, 400, /did not pass Laneway&#39;s checks/);
      expect(res.body, what).toMatch(reason);
    }
    // The unchanged token still signs in: the swap itself is not what fails.
    const control = await withSwappedIdToken((p) => oidc.mintIdToken({ subject: p.sub, nonce: p.nonce }, 'provider'));
    expect(control.status, control.body).toBe(302);
  });

  it('refuses an open redirect in next, before going to the provider', async () => {
    for (const next of [
      '//evil.example/',
      'https://evil.example/',
      '/\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await t.get(`/auth/oidc/login/?next=${encodeURIComponent(next)}`);
      expectRefused(res, 400, /lead away from Laneway/);
      expect(res.headers.get('location')).toBeNull();
    }
  });
});

describe('single sign-on: sessions', () => {
  it('sign-out ends the session and hands the provider logout URL', async () => {
    const session = sessionOf(await ssoSignIn('alice'))!;
    const out = await t.post('/auth/logout/', undefined, {
      headers: { cookie: `session=${session}`, origin: 'http://laneway.test' },
    });
    expect(out.status).toBe(200);
    const url = new URL(out.body.end_session_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${oidc.issuer}/session/end`);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://laneway.test/login');
    expect(url.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect((await me(session)).status).toBe(401);
    // A password session has nothing to end at the provider.
    const local = await t.post('/auth/logout/', undefined, { token: root });
    expect(local.body).toEqual({ status: 'logged_out' });
    root = (await t.post('/auth/login/', { username: 'root', password })).body.access;
  });

  it('does not ask SSO sessions for local 2FA under REQUIRE_2FA; password sessions still are', async () => {
    const config = t.runtime.deps.config;
    config.REQUIRE_2FA = 'all';
    try {
      const session = sessionOf(await ssoSignIn('carol'))!;
      expect((await t.get('/projects/', { headers: { cookie: `session=${session}` } })).status).toBe(200);
      const token = (await t.post('/auth/login/', { username: 'erin', password })).body.access;
      const blocked = await t.get('/projects/', { token });
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe('mfa_setup_required');
    } finally {
      config.REQUIRE_2FA = 'off';
    }
  });

  it('OIDC_ONLY: password sign-in for superusers only; the setup answer says so', async () => {
    const config = t.runtime.deps.config;
    config.OIDC_ONLY = true;
    config.ALLOW_REGISTRATION = true;
    try {
      const register = await t.post('/auth/register/', { username: 'late', email: 'late@example.com', password });
      expect(register.status).toBe(403);
      expect((await t.get('/auth/setup/')).body.oidc).toEqual({
        enabled: true,
        label: 'Sign in with Acme ID',
        only: true,
      });
      const refused = await t.post('/auth/login/', { username: 'erin', password });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/single sign-on/);
      expect((await t.post('/auth/login/', { username: 'root', password })).status).toBe(200);
      expect((await ssoSignIn('erin')).status).toBe(302);
    } finally {
      config.OIDC_ONLY = false;
      config.ALLOW_REGISTRATION = false;
    }
  });
});

describe('single sign-on: configuration', () => {
  /** Runs `fn` with the app's relying party built from other settings (no second database). */
  async function withOidc<T>(overrides: Partial<Config>, fn: () => Promise<T>): Promise<T> {
    const original = t.runtime.deps.oidc;
    t.runtime.deps.oidc = createOidc({ ...t.runtime.deps.config, ...overrides });
    try {
      return await fn();
    } finally {
      t.runtime.deps.oidc = original;
    }
  }

  it('accepts OIDC_ISSUER without the trailing slash of an issuer that has one', async () => {
    const slashed = await startOidcProvider({
      redirectUris: [CALLBACK],
      path: '/realms/acme',
      trailingSlash: true,
      users: USERS,
    });
    try {
      expect(slashed.issuer).toMatch(/\/realms\/acme\/$/);
      const config = {
        OIDC_ISSUER: slashed.issuer.replace(/\/$/, ''),
        OIDC_CLIENT_ID: slashed.clientId,
        OIDC_CLIENT_SECRET: slashed.clientSecret,
      };
      await withOidc(config, async () => {
        const { location, cookie } = await begin();
        const res = await callback(await slashed.signIn(location, 'erin'), cookie);
        expect(res.status, res.body).toBe(302);
      });
      const [identity] = await t.sql`select issuer from user_identities where issuer like '%/realms/acme/'`;
      expect(identity!.issuer).toBe(slashed.issuer);
    } finally {
      await slashed.stop();
    }
  });

  it('answers a clear page when SSO is off, and a 404 to link', async () => {
    const original = t.runtime.deps.oidc;
    t.runtime.deps.oidc = null;
    try {
      expectRefused(await t.get('/auth/oidc/login/'), 404, /does not use single sign-on/);
      expectRefused(await t.get('/auth/oidc/callback/?code=x&state=y'), 404, /does not use single sign-on/);
      expect((await t.get('/auth/setup/')).body.oidc).toEqual({ enabled: false, label: null, only: false });
      expect((await t.post('/auth/oidc/link/', undefined, { token: root })).status).toBe(404);
    } finally {
      t.runtime.deps.oidc = original;
    }
  });

  it('answers a clear page when the provider is down', async () => {
    const down = await startOidcProvider({ redirectUris: [CALLBACK] });
    await down.stop();
    await withOidc({ OIDC_ISSUER: down.issuer }, async () => {
      expectRefused(await t.get('/auth/oidc/login/'), 502, /could not reach your identity provider/);
    });
  });
});
