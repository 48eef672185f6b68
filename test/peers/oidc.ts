/**
 * A real OpenID Connect provider for tests: panva's `oidc-provider` (v9) in this process, on a
 * loopback port, with one confidential client registered up front.
 *
 * Choices, so that tests meet what Laneway meets in the field:
 * - Authorization code only, PKCE (S256) required even for this confidential client, `state`
 *   and `nonce` passed through, `iss` in the authorization response (RFC 9207).
 * - The ID token carries the claims of the granted scopes (`conformIdTokenClaims: false`), as
 *   Google, Keycloak and Entra ID do: `email` + `email_verified` (scope `email`), `name` +
 *   `preferred_username` (scope `profile`), and `groups`. By default `groups` comes with the
 *   `openid` scope, i.e. always (how Keycloak's group mapper and Entra's groups claim behave); with
 *   `groupsScope: 'groups'` it needs the `groups` scope instead.
 * - No consent page (a first-party client, as in a company IdP): the requested scopes are granted
 *   on sign-in. `consent: true` brings the dev consent page back.
 * - Sign-in is oidc-provider's own dev login page: any password, and the login is the user's
 *   `sub`. A login that is not one of the users is refused (the page asks again). `signIn()` and
 *   `browser()` fill that page with `fetch` and a cookie jar; Playwright can fill it too
 *   (`input[name=login]`, `input[name=password]`, `button[type=submit]`).
 * - RP-initiated logout at `end_session_endpoint`, with its confirmation page.
 * - Signing keys are a fresh RSA key per instance; `mintIdToken` signs tokens with another key
 *   (or this one) for negative tests.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface OidcUser {
  /** The subject, and the login typed into the dev sign-in page. */
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  preferred_username?: string;
  groups?: string[];
}

export interface OidcProviderOptions {
  /** Where the provider may send the user back; exact match, as registered. */
  redirectUris: string[];
  /** Where RP-initiated logout may send the user back. Default none (a success page is shown). */
  postLogoutRedirectUris?: string[];
  clientId?: string;
  /** Default: random. */
  clientSecret?: string;
  /** How the client authenticates at the token endpoint. Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Default: `DEFAULT_OIDC_USERS`. */
  users?: OidcUser[];
  /** A path under which the provider lives, like Keycloak's `/realms/x`: `/oidc`. Default none. */
  path?: string;
  /** Whether the issuer ends with `/` (Auth0 style) or not (Keycloak, Google style). Default false. */
  trailingSlash?: boolean;
  /** Which scope releases `groups`: `openid` (always, the default) or `groups`. */
  groupsScope?: 'openid' | 'groups';
  /** Show the consent page after sign-in. Default false. */
  consent?: boolean;
  /** Listen on this port (the CLI's fixed port). Default: a free one. */
  port?: number;
}

/** A browser for the provider's own pages: a cookie jar that fills its dev forms. */
export interface OidcBrowser {
  /**
   * Opens `url` (an authorization or end-session URL), follows the provider's redirects, signs
   * in as `login` when the provider asks (confirms consent and logout when asked), and returns
   * the URL the provider finally sends the browser to outside itself — the client's
   * `redirect_uri?code=…&state=…&iss=…` — without opening it. Throws when the provider asks for
   * a sign-in and `login` is missing or refused, or shows an error page.
   */
  visit(url: string | URL, login?: string): Promise<URL>;
  /**
   * Opens `url` and follows the provider's redirects to the first page it shows (`html`, e.g.
   * the login form), or to a URL outside the provider (then without `status` and `html`).
   */
  open(url: string | URL): Promise<{ url: URL; status?: number; html?: string }>;
  /** Cookie name → value, as the provider set them. */
  cookies: Map<string, string>;
}

export interface MintIdTokenOptions {
  issuer: string;
  audience: string;
  subject: string;
  nonce?: string;
  /** More claims (`email`, `email_verified`, …), or overrides (`exp`, `iat`). */
  claims?: Record<string, unknown>;
  /** Default 300. Negative for an expired token. */
  expiresInSeconds?: number;
  /** Default: a fresh RSA key that no provider knows. */
  privateKey?: KeyObject;
  /** Default: a random key id. */
  kid?: string;
}

export interface OidcPeer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The users as they are now. */
  users: OidcUser[];
  /** Replaces the users; a signed-in user who is no longer listed is signed out. */
  setUsers(users: OidcUser[]): void;
  /** A new browser (empty cookie jar). */
  browser(): OidcBrowser;
  /** `browser().visit(authorizationUrl, login)`: the callback URL with the code. */
  signIn(authorizationUrl: string | URL, login: string): Promise<URL>;
  /** An ID token for this client, signed by this provider's key (`'provider'`) or another one. */
  mintIdToken(claims: Partial<MintIdTokenOptions> & { subject: string }, signedBy?: 'provider' | 'foreign'): string;
  /** The oidc-provider instance, for what the options do not cover. */
  provider: Provider;
  stop(): Promise<void>;
}

export const DEFAULT_OIDC_USERS: OidcUser[] = [
  {
    sub: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Admin',
    preferred_username: 'alice',
    groups: ['laneway-admins', 'staff'],
  },
  {
    sub: 'bob',
    email: 'bob@example.com',
    email_verified: false,
    name: 'Bob Unverified',
    preferred_username: 'bob',
    groups: ['staff'],
  },
];

/** The key `mintIdToken` signs with by default: made once per process, published nowhere. */
let foreignKey: KeyObject | undefined;

const generateRsaKey = promisify(generateKeyPair);
const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * An RS256-signed JWT with ID token claims. By default signed by a key no provider publishes, so
 * a relying party must refuse it (signature or unknown `kid`).
 *
 * @example
 * const token = mintIdToken({ issuer: oidc.issuer, audience: oidc.clientId, subject: 'alice', nonce });
 */
export function mintIdToken(options: MintIdTokenOptions): string {
  foreignKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const privateKey = options.privateKey ?? foreignKey;
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? randomUUID() };
  const payload = {
    iss: options.issuer,
    aud: options.audience,
    sub: options.subject,
    iat: now,
    exp: now + (options.expiresInSeconds ?? 300),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), privateKey))}`;
}

/** The few HTML entities oidc-provider's templates write into attribute values. */
const unescapeHtml = (text: string) =>
  text
    .replace(/&#x2F;|&#47;/gi, '/')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The `action` of the form whose opening tag matches `formTag`, resolved against the page. */
function formAction(html: string, page: URL, formTag: RegExp): URL | undefined {
  const tag = formTag.exec(html)?.[0];
  const action = tag && /\baction="([^"]*)"/.exec(tag)?.[1];
  return action === undefined ? undefined : new URL(unescapeHtml(action), page);
}

function createBrowser(providerBase: URL): OidcBrowser {
  const cookies = new Map<string, string>();
  const inside = (url: URL) => url.origin === providerBase.origin && url.pathname.startsWith(providerBase.pathname);

  function remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=.*1970)/i.test(a));
      if (!value || expired) cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  async function request(url: URL, form?: URLSearchParams): Promise<Response> {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      body: form,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    remember(response);
    return response;
  }

  /** Follows the provider's redirects from `url` to a page of its own, or to a URL outside it. */
  async function follow(url: URL, form?: URLSearchParams): Promise<{ url: URL; response?: Response }> {
    for (let step = 0; step < 20; step++) {
      const response = await request(url, form);
      form = undefined;
      const location = response.headers.get('location');
      if (!(response.status >= 300 && response.status < 400 && location)) return { url, response };
      const next = new URL(location, url);
      if (!inside(next)) return { url: next };
      url = next;
    }
    throw new Error(`more than 20 redirects inside the provider from ${url.href}`);
  }

  async function open(start: string | URL) {
    const { url, response } = await follow(new URL(start));
    return { url, status: response?.status, html: response ? await response.text() : undefined };
  }

  async function visit(start: string | URL, login?: string): Promise<URL> {
    let url = new URL(start);
    let form: URLSearchParams | undefined;
    let loginsSent = 0;
    for (let step = 0; step < 10; step++) {
      const landed = await follow(url, form);
      if (!landed.response) return landed.url;
      url = landed.url;
      const { status } = landed.response;
      const html = await landed.response.text();
      if (status === 200 && html.includes('name="prompt" value="login"')) {
        if (!login) throw new Error(`the provider asks to sign in at ${url.pathname} and no login was given`);
        if (loginsSent++) throw new Error(`the provider refused the login ${JSON.stringify(login)}`);
        url = formAction(html, url, /<form[^>]*>/)!;
        form = new URLSearchParams({ prompt: 'login', login, password: 'any password' });
      } else if (status === 200 && html.includes('name="prompt" value="consent"')) {
        url = formAction(html, url, /<form[^>]*>/)!;
        form = new URLSearchParams({ prompt: 'consent' });
      } else if (status === 200 && html.includes('id="op.logoutForm"')) {
        const xsrf = /name="xsrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
        url = formAction(html, url, /<form[^>]*id="op\.logoutForm"[^>]*>/)!;
        form = new URLSearchParams({ xsrf: unescapeHtml(xsrf), logout: 'yes' });
      } else if (status === 200 && url.pathname.endsWith('/session/end/success')) {
        return url;
      } else {
        const text = html
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 500);
        throw new Error(`the provider answered ${status} at ${url.pathname}: ${text}`);
      }
    }
    throw new Error(`no way out of the provider after 10 pages from ${String(start)}`);
  }

  return { visit, open, cookies };
}

/**
 * Starts an OpenID provider on a loopback port with one registered client.
 *
 * @example
 * const oidc = await startOidcProvider({ redirectUris: ['http://127.0.0.1:3000/api/tickets/auth/oidc/callback/'] });
 * // … configure OIDC_ISSUER = oidc.issuer, OIDC_CLIENT_ID/SECRET, start the login …
 * const callback = await oidc.signIn(locationOfTheLoginRedirect, 'alice');
 * // … open `callback` on the app: it exchanges the code and signs alice in …
 * await oidc.stop();
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcPeer> {
  const clientId = options.clientId ?? 'laneway';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  let users = (options.users ?? DEFAULT_OIDC_USERS).map((u) => ({ ...u }));
  const mountPath = (options.path ?? '').replace(/\/+$/, '');
  if (mountPath && !mountPath.startsWith('/')) throw new Error('path must start with "/"');

  // The port must be known before the provider (its issuer holds it): listen first, delegate later.
  // Koa's handler returns a promise that never rejects (Koa answers errors itself).
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => {
    // Mounted under a path: oidc-provider routes the rest and reads the prefix from originalUrl.
    if (mountPath) {
      const url = req.url ?? '/';
      if (url !== mountPath && !url.startsWith(`${mountPath}/`) && !url.startsWith(`${mountPath}?`)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      Object.assign(req, { originalUrl: url });
      req.url = url.slice(mountPath.length) || '/';
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}${mountPath}${options.trailingSlash ? '/' : ''}`;

  const { privateKey } = await generateRsaKey('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256').update(randomBytes(16)).digest('base64url').slice(0, 16);
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

  const claimsOf = (user: OidcUser) =>
    Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)) as Record<string, unknown>;

  // The dev login page takes any login. One that is not (or no longer) a user would leave a
  // session without an account, which oidc-provider answers with a 500: ask to sign in again.
  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('unknown_account', 'the signed-in account is not known', (ctx) =>
        Boolean(ctx.oidc.session?.accountId && !ctx.oidc.account),
      ),
    );

  const configuration: Configuration = {
    interactions: { policy },
    responseTypes: ['code'],
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, id) {
      const user = users.find((u) => u.sub === id);
      if (!user) return undefined;
      return { accountId: user.sub, claims: () => ({ ...claimsOf(user), sub: user.sub }) };
    },
    claims: {
      openid: options.groupsScope === 'groups' ? ['sub'] : ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      ...(options.groupsScope === 'groups' ? { groups: ['groups'] } : {}),
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body>
            <h1>Sign out of the test provider?</h1>${form}
            <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
            <button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body =
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1></body></html>';
        },
      },
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (options.consent) return existing;
      // First-party client: whatever it asks for is granted, so no consent page.
      const grant =
        existing ?? new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId });
      grant.addOIDCScope(String(oidc.params!.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Error</title></head><body><h1>${
        out.error
      }</h1><p>${String(out.error_description ?? '').replace(/[<>&"]/g, '')}</p></body></html>`;
    },
    // Set, so oidc-provider does not print a notice for each default it falls back to.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 86_400, IdToken: 3600, Interaction: 3600, Session: 86_400 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingJwk] },
  };

  const provider = new Provider(issuer, configuration);
  handler = provider.callback();
  const providerBase = new URL(mountPath ? `${issuer.replace(/\/$/, '')}/` : issuer);
  const browser = () => createBrowser(providerBase);

  let stopped = false;
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUris: options.redirectUris,
    get users() {
      return users;
    },
    setUsers(next) {
      users = next.map((u) => ({ ...u }));
    },
    browser,
    signIn: (authorizationUrl, login) => browser().visit(authorizationUrl, login),
    mintIdToken(claims, signedBy = 'foreign') {
      return mintIdToken({
        issuer,
        audience: clientId,
        ...claims,
        ...(signedBy === 'provider' ? { privateKey: createPrivateKey({ key: signingJwk, format: 'jwk' }), kid } : {}),
      });
    },
    provider,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
