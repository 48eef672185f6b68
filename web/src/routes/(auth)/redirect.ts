import { safeRedirectPath } from '#lib/safe-redirect.ts';

/**
 * Where to go after signing in: the `next` query parameter when it is a path on this site,
 * else the projects page (`safeRedirectPath` decides; anything else is an open redirect).
 */
export function nextPath(url: { readonly searchParams: { get(name: string): string | null } }): `/${string}` {
  return safeRedirectPath(url.searchParams.get('next'));
}
