/** A base that no path of ours can leave without changing the origin. */
const PROBE_ORIGIN = 'http://laneway.invalid';

/**
 * Any ASCII control character (tab, CR, LF, NUL, DEL, …) or a backslash. Browsers drop tabs
 * and newlines anywhere in a URL and read `\` as `/`, so `/\t/evil.example` and `/\evil.example`
 * both go to `//evil.example`, another host; and a control character in a `Location` header
 * makes Node refuse to send it (a 500).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f\\]/;

/**
 * The one check for redirect targets that come from a request (`?next=`): a path on this site,
 * normalised (non-ASCII percent-encoded, so the `Location` header is always valid), or `/`.
 * Refused: anything not starting with one `/` (schemes such as `javascript:`, `//host`
 * protocol-relative URLs), control characters, backslashes, and anything that resolves to
 * another origin or to a path starting with `//`.
 *
 * @example safeRedirectPath('/projects/7?tab=board') // '/projects/7?tab=board'
 * @example safeRedirectPath('/\t/evil.example') // '/' (what `?next=/%09/evil.example` decodes to)
 */
export function safeRedirectPath(target: string | null | undefined): `/${string}` {
  if (!target || !target.startsWith('/') || target.startsWith('//') || UNSAFE_CHARACTER.test(target)) return '/';
  let url: URL;
  try {
    url = new URL(target, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PROBE_ORIGIN || !path.startsWith('/') || path.startsWith('//')) return '/';
  return path as `/${string}`;
}
