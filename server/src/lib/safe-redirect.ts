/** A base that no path of ours can leave without changing the origin. */
const PROBE_ORIGIN = 'http://laneway.invalid';

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f\\]/;

/**
 * The server's twin of the web app's `safeRedirectPath` (web/src/lib/safe-redirect.ts, whose
 * comment explains each refusal): a path on this site, normalised, or null for anything that
 * could lead elsewhere (`//host`, schemes, backslashes, control characters).
 *
 * @example safeNextPath('/projects/7?tab=board') // '/projects/7?tab=board'
 * @example safeNextPath('//evil.example') // null
 */
export function safeNextPath(target: string): `/${string}` | null {
  if (!target.startsWith('/') || target.startsWith('//') || UNSAFE_CHARACTER.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target, PROBE_ORIGIN);
  } catch {
    return null;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PROBE_ORIGIN || !path.startsWith('/') || path.startsWith('//')) return null;
  return path as `/${string}`;
}
