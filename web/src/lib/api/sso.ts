/** Single sign-on (SPEC §12): the caller's linked provider accounts (`/auth/oidc/…`). */
import type { z } from 'zod';
import type { IdentitySchema } from '../../../../server/src/schemas/sso.ts';
import type { Call } from './request.ts';

export type SsoIdentity = z.infer<typeof IdentitySchema>;

/** Where the browser goes to sign in with the provider, then on to `next` (a path of this site). */
export function ssoLoginHref(next: string): string {
  return `/api/tickets/auth/oidc/login/?next=${encodeURIComponent(next)}`;
}

export function ssoCalls(call: Call) {
  return {
    ssoIdentities: () => call<SsoIdentity[]>('GET', '/auth/oidc/identities/'),
    /** Starts a link: the provider's URL to open; the browser comes back to /account/sso. */
    startSsoLink: () => call<{ url: string }>('POST', '/auth/oidc/link/').then((r) => r.url),
    unlinkSso: (id: number) => call<void>('DELETE', `/auth/oidc/identities/${id}/`),
  };
}
