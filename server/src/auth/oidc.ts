/**
 * The relying party of single sign-on (SPEC §12, docs/decisions/0042): panva's openid-client
 * for discovery, the authorization URL (code + PKCE S256, `state`, `nonce`), the code exchange
 * and its checks (`iss` of the response and the ID token, `aud`, `nonce`, expiry, and the ID
 * token's signature against the provider's published keys), userinfo and the end-session URL.
 * What an account may do with the result is services/sso.ts's business.
 */
import * as client from 'openid-client';
import type { Config } from '../env.ts';

/** The claims Laneway reads from the provider, checked and normalised. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  preferredUsername: string | null;
  /** The `groups` claim (strings only); `[]` when absent. */
  groups: string[];
  idToken: string;
}

export interface OidcStart {
  url: URL;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/** Single sign-on as configured: null when OIDC_ISSUER is unset. */
export interface Oidc {
  label: string;
  /** The authorization URL for a new sign-in, and the secrets to keep until it comes back. */
  start(redirectUri: string): Promise<OidcStart>;
  /**
   * Exchanges the code of `callbackUrl` (the redirect URI with the provider's query) and checks
   * everything; throws on any failure (an `OidcFailure` for the provider's own refusals).
   */
  finish(callbackUrl: URL, checks: { state: string; codeVerifier: string; nonce: string }): Promise<OidcIdentity>;
  /** Where to send the browser to end the provider's session too, or null without an end-session endpoint. */
  endSessionUrl(idToken: string, postLogoutRedirectUri: string): Promise<string | null>;
}

/** The provider said no in its answer (`?error=` on the callback, or a refused code). */
export class OidcFailure extends Error {
  readonly error: string;
  constructor(error: string, message: string) {
    super(message);
    this.error = error;
  }
}

/** For tests only: a fetch used for every request to the provider (openid-client's `customFetch`). */
export interface OidcOptions {
  fetch?: client.CustomFetch;
}

/**
 * Discovery, once and then cached (a failure is not cached, so a provider that was down is
 * tried again at the next sign-in).
 *
 * `OIDC_ISSUER` is compared with the discovered `issuer` exactly by openid-client. Providers
 * differ on a trailing slash (Auth0 and some Authentik set-ups publish `…/`, Keycloak and
 * Google do not) and administrators copy it either way (planka#1514): when the two differ only
 * by that slash, the discovered form is used (its own discovery document must then name it).
 */
async function discover(config: Config, options: OidcOptions): Promise<client.Configuration> {
  const issuer = config.OIDC_ISSUER!;
  const secret = config.OIDC_CLIENT_SECRET;
  const run = (server: string) =>
    client.discovery(
      new URL(server),
      config.OIDC_CLIENT_ID!,
      undefined,
      secret ? client.ClientSecretBasic(secret) : client.None(),
      {
        execute: [
          // Without it openid-client does not check the signature of an ID token from the token
          // endpoint (TLS is taken as proof, OIDC Core 3.1.3.7); SPEC §12 asks for the check.
          client.enableNonRepudiationChecks,
          ...(server.startsWith('http:') ? [client.allowInsecureRequests] : []),
        ],
        ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
        timeout: 10,
      },
    );
  try {
    return await run(issuer);
  } catch (error) {
    const found = discoveredIssuer(error);
    if (found && found.replace(/\/+$/, '') === issuer.replace(/\/+$/, '')) return run(found);
    throw error;
  }
}

/** The `issuer` of a discovery document openid-client refused for not matching OIDC_ISSUER. */
function discoveredIssuer(error: unknown): string | null {
  if (!(error instanceof client.ClientError) || error.code !== 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return null;
  const cause = error.cause as { attribute?: string; body?: { issuer?: unknown } } | undefined;
  return cause?.attribute === 'issuer' && typeof cause.body?.issuer === 'string' ? cause.body.issuer : null;
}

/**
 * An openid-client failure in words: its message and the cause's, which names the claim
 * (`unexpected JWT claim value encountered: unexpected JWT "iss" (issuer) claim value`).
 */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** Builds the relying party from configuration, or null when single sign-on is off. */
export function createOidc(config: Config, options: OidcOptions = {}): Oidc | null {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID) return null;
  let discovered: Promise<client.Configuration> | null = null;
  const configuration = () => {
    discovered ??= discover(config, options).catch((error: unknown) => {
      discovered = null;
      throw error;
    });
    return discovered;
  };

  return {
    label: config.OIDC_BUTTON_LABEL,

    async start(redirectUri) {
      const rp = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: config.OIDC_SCOPES,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state, codeVerifier, nonce };
    },

    async finish(callbackUrl, checks) {
      const rp = await configuration();
      const error = callbackUrl.searchParams.get('error');
      if (error) throw new OidcFailure(error, callbackUrl.searchParams.get('error_description') ?? error);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(rp, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
      } catch (caught) {
        // The token endpoint's own refusal (a used or expired code): the provider's words.
        if (caught instanceof client.ResponseBodyError) throw new OidcFailure(caught.error, caught.message);
        throw caught;
      }
      const claims = tokens.claims()!;
      let extra: client.UserInfoResponse | null = null;
      // Some providers put the address or the groups only in userinfo (Authentik by default).
      if ((claims.email === undefined || claims.groups === undefined) && tokens.access_token) {
        extra = await client.fetchUserInfo(rp, tokens.access_token, claims.sub).catch(() => null);
      }
      const pick = (name: string) => claims[name] ?? extra?.[name];
      const groups = pick('groups');
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email: str(pick('email'))?.toLowerCase() ?? null,
        emailVerified: pick('email_verified') === true || pick('email_verified') === 'true',
        name: str(pick('name')),
        preferredUsername: str(pick('preferred_username')),
        groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
        idToken: tokens.id_token!,
      };
    },

    async endSessionUrl(idToken, postLogoutRedirectUri) {
      const rp = await configuration();
      if (!rp.serverMetadata().end_session_endpoint) return null;
      return client
        .buildEndSessionUrl(rp, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri })
        .toString();
    },
  };
}
