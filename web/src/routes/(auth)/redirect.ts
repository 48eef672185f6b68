/**
 * Where to go after signing in: the `next` query parameter when it is a path on this site,
 * else the projects page. Anything else (`//evil.example`, `https://…`) is an open redirect.
 */
export function nextPath(url: { readonly searchParams: { get(name: string): string | null } }): `/${string}` {
  const next = url.searchParams.get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next as `/${string}`;
}
