import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcPeer } from './oidc.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/api/tickets/auth/oidc/callback/';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/login';

/** What the product will do: discovery with openid-client over plain HTTP on loopback. */
function discover(oidc: OidcPeer, options: client.DiscoveryRequestOptions = {}) {
  return client.discovery(new URL(oidc.issuer), oidc.clientId, undefined, client.ClientSecretBasic(oidc.clientSecret), {
    execute: [client.allowInsecureRequests],
    ...options,
  });
}

/** The start of a login as the product does it: PKCE, state and nonce. */
async function startLogin(config: client.Configuration, scope = 'openid email profile') {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
    input: `${header}.${payload}`,
    signature: Buffer.from(signature!, 'base64url'),
  };
}

describe('OpenID provider test peer', () => {
  let oidc: OidcPeer;
  beforeAll(async () => {
    const started = Date.now();
    oidc = await startOidcProvider({ redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [POST_LOGOUT_URI] });
    console.info(`OIDC provider up in ${Date.now() - started} ms at ${oidc.issuer}`);
  });
  afterAll(() => oidc?.stop());

  it('publishes its configuration: code + PKCE, the claims, an end-session endpoint', async () => {
    expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${oidc.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = await res.json();
    expect(meta).toMatchObject({
      issuer: oidc.issuer,
      authorization_endpoint: `${oidc.issuer}/auth`,
      token_endpoint: `${oidc.issuer}/token`,
      jwks_uri: `${oidc.issuer}/jwks`,
      end_session_endpoint: `${oidc.issuer}/session/end`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'email', 'email_verified', 'name', 'preferred_username', 'groups']),
    );
    expect(meta.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
  });

  it('signs alice in with authorization code + PKCE, through the dev login page, and openid-client validates the ID token', async () => {
    const config = await discover(oidc);
    const { url, checks } = await startLogin(config);
    // The dev login page is real HTML a browser (or Playwright) fills in.
    const page = await oidc.browser().open(url);
    expect(page.url.pathname).toMatch(/^\/interaction\/[\w-]+$/);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<input required type="text" name="login"/);
    expect(page.html).toMatch(/<input required type="password" name="password"/);
    expect(page.html).toMatch(/<button type="submit" class="login login-submit">Sign-in<\/button>/);

    const callback = await oidc.signIn(url, 'alice');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(checks.expectedState);
    expect(callback.searchParams.get('iss')).toBe(oidc.issuer);

    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: oidc.issuer,
      aud: oidc.clientId,
      sub: 'alice',
      nonce: checks.expectedNonce,
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Admin',
      preferred_username: 'alice',
      groups: ['laneway-admins', 'staff'],
    });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toMatchObject({ email: 'alice@example.com', groups: ['laneway-admins', 'staff'] });
  });

  it('says email_verified: false for bob, and sends only the claims of the scopes asked for', async () => {
    const config = await discover(oidc);
    const { url, checks } = await startLogin(config, 'openid email');
    const tokens = await client.authorizationCodeGrant(config, await oidc.signIn(url, 'bob'), checks);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: 'bob', email: 'bob@example.com', email_verified: false, groups: ['staff'] });
    expect(claims).not.toHaveProperty('name');
  });

  it('requires PKCE and refuses a login that is not one of its users', async () => {
    const config = await discover(oidc);
    const noPkce = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 's',
      nonce: 'n',
    });
    const refused = await oidc.browser().visit(noPkce);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('error_description')).toMatch(/PKCE/);

    const { url } = await startLogin(config);
    await expect(oidc.signIn(url, 'mallory')).rejects.toThrow(/refused the login "mallory"/);
  });

  it('keeps the session for a second login, and ends it at the end-session endpoint', async () => {
    const config = await discover(oidc);
    const browser = oidc.browser();
    const first = await startLogin(config);
    const tokens = await client.authorizationCodeGrant(config, await browser.visit(first.url, 'alice'), first.checks);

    // Signed in already: no login asked this time.
    const second = await startLogin(config);
    const again = await client.authorizationCodeGrant(config, await browser.visit(second.url), second.checks);
    expect(again.claims()!.sub).toBe('alice');

    const logout = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    });
    const back = await browser.visit(logout);
    expect(back.href).toBe(`${POST_LOGOUT_URI}?state=bye`);

    const third = await startLogin(config);
    await expect(browser.visit(third.url)).rejects.toThrow(/asks to sign in/);
  });

  it('a user removed with setUsers can no longer sign in', async () => {
    const before = oidc.users;
    try {
      oidc.setUsers(before.filter((u) => u.sub !== 'bob'));
      const { url } = await startLogin(await discover(oidc));
      await expect(oidc.signIn(url, 'bob')).rejects.toThrow(/refused the login/);
    } finally {
      oidc.setUsers(before);
    }
  });

  it('mints ID tokens signed by another key (refused by openid-client) or by its own key', async () => {
    const jwks = (await (await fetch(`${oidc.issuer}/jwks`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const [published] = jwks.keys;

    const own = decodeJwt(oidc.mintIdToken({ subject: 'alice', nonce: 'n' }, 'provider'));
    expect(own.header.kid).toBe(published!.kid);
    expect(
      verify('sha256', Buffer.from(own.input), createPublicKey({ key: published!, format: 'jwk' }), own.signature),
    ).toBe(true);

    const foreign = oidc.mintIdToken({ subject: 'alice', nonce: 'n', claims: { email_verified: true } });
    const decoded = decodeJwt(foreign);
    expect(decoded.payload).toMatchObject({ iss: oidc.issuer, aud: oidc.clientId, sub: 'alice', email_verified: true });
    expect(jwks.keys.map((k) => k.kid)).not.toContain(decoded.header.kid);

    // A token endpoint answer carrying the foreign token. openid-client checks the signature of
    // an ID token from the token endpoint only with enableNonRepudiationChecks (TLS is deemed
    // enough otherwise, OIDC Core 3.1.3.7): the product must turn it on to check signatures.
    const swapIdToken: client.CustomFetch = async (url, init) => {
      const response = await fetch(url, init as RequestInit);
      if (!url.endsWith('/token')) return response;
      const body = await response.json();
      const { payload } = decodeJwt(body.id_token);
      body.id_token = oidc.mintIdToken({ subject: payload.sub, nonce: payload.nonce });
      return Response.json(body, { status: response.status, headers: { 'cache-control': 'no-store' } });
    };
    const lax = await discover(oidc, { [client.customFetch]: swapIdToken });
    const first = await startLogin(lax);
    const accepted = await client.authorizationCodeGrant(lax, await oidc.signIn(first.url, 'alice'), first.checks);
    expect(accepted.claims()!.sub).toBe('alice');

    const strict = await discover(oidc, {
      [client.customFetch]: swapIdToken,
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const second = await startLogin(strict);
    await expect(
      client.authorizationCodeGrant(strict, await oidc.signIn(second.url, 'alice'), second.checks),
    ).rejects.toThrow(/no applicable key|signature/i);
  });
});

describe('OpenID provider test peer, issuer variants', () => {
  it('serves an issuer with a path and a trailing slash, and groups only with the groups scope', async () => {
    const oidc = await startOidcProvider({
      redirectUris: [REDIRECT_URI],
      path: '/realms/acme',
      trailingSlash: true,
      groupsScope: 'groups',
      tokenEndpointAuthMethod: 'client_secret_post',
      clientId: 'acme',
      clientSecret: 'acme-secret',
    });
    try {
      expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/acme\/$/);
      const config = await client.discovery(new URL(oidc.issuer), 'acme', 'acme-secret', undefined, {
        execute: [client.allowInsecureRequests],
      });
      expect(config.serverMetadata().issuer).toBe(oidc.issuer);
      expect(config.serverMetadata().authorization_endpoint).toBe(`${oidc.issuer}auth`);

      const without = await startLogin(config);
      const plain = await client.authorizationCodeGrant(
        config,
        await oidc.signIn(without.url, 'alice'),
        without.checks,
      );
      expect(plain.claims()).toMatchObject({ iss: oidc.issuer, email_verified: true });
      expect(plain.claims()).not.toHaveProperty('groups');

      const withGroups = await startLogin(config, 'openid email groups');
      const grouped = await client.authorizationCodeGrant(
        config,
        await oidc.signIn(withGroups.url, 'alice'),
        withGroups.checks,
      );
      expect(grouped.claims()!.groups).toEqual(['laneway-admins', 'staff']);
    } finally {
      await oidc.stop();
    }
  });

  it('shows the consent page when asked to, and the browser confirms it', async () => {
    const oidc = await startOidcProvider({ redirectUris: [REDIRECT_URI], consent: true });
    try {
      const config = await discover(oidc);
      const { url, checks } = await startLogin(config);
      const tokens = await client.authorizationCodeGrant(config, await oidc.signIn(url, 'alice'), checks);
      expect(tokens.claims()!.email).toBe('alice@example.com');
    } finally {
      await oidc.stop();
    }
  });
});
