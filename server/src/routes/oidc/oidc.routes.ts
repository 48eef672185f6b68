import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json } from '../../lib/openapi.ts';
import { IdentitySchema } from '../../schemas/sso.ts';

/** What a browser gets instead of JSON: a redirect, or a page that says what went wrong. */
const page = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const param = (max: number) => z.string().max(max).optional();

export const oidcLogin = createRoute({
  method: 'get',
  path: '/auth/oidc/login',
  tags: ['auth'],
  summary: 'Single sign-on: redirects to the identity provider (authorization code, PKCE, state, nonce)',
  security: [],
  request: {
    query: z.object({
      next: param(2000).openapi({ description: 'A path of this site to open after signing in' }),
    }),
  },
  responses: {
    302: { description: 'To the provider' },
    400: page('`next` is not a path of this site'),
    404: page('Single sign-on is not configured'),
    502: page('The provider could not be reached'),
  },
});

export const oidcCallback = createRoute({
  method: 'get',
  path: '/auth/oidc/callback',
  tags: ['auth'],
  summary: "Single sign-on: the provider's answer; signs in (or links) and redirects to `next`",
  security: [],
  request: {
    query: z.object({
      code: param(4096),
      state: param(512),
      iss: param(2000),
      error: param(200),
      error_description: param(2000),
      session_state: param(2000),
    }),
  },
  responses: {
    302: { description: 'Signed in (session cookie set) or linked: to `next`' },
    400: page('A forged, used or expired state, or a token that fails a check'),
    403: page('Refused: cancelled at the provider, no account and none may be made, an unverified address'),
    404: page('Single sign-on is not configured'),
    502: page('The provider could not be reached'),
  },
});

export const oidcLink = createRoute({
  method: 'post',
  path: '/auth/oidc/link',
  tags: ['auth'],
  summary: "Start linking a provider account to the caller's: open `url`, sign in there, come back linked",
  responses: {
    200: json(z.object({ url: z.string() }), 'The authorization URL'),
    ...errors(401, 403, 404),
  },
});

export const listIdentities = createRoute({
  method: 'get',
  path: '/auth/oidc/identities',
  tags: ['auth'],
  summary: "The caller's linked provider accounts",
  responses: { 200: json(z.array(IdentitySchema), 'Linked accounts'), ...errors(401, 403) },
});

export const unlinkIdentity = createRoute({
  method: 'delete',
  path: '/auth/oidc/identities/{id}',
  tags: ['auth'],
  summary: "Unlink one of the caller's provider accounts",
  request: { params: IdParam },
  responses: { 204: { description: 'Unlinked' }, ...errors(400, 401, 403, 404) },
});
