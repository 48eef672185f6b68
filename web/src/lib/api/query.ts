/**
 * The query string of list requests, apart from `request.ts` so that the resource modules import
 * nothing that brings SvelteKit's client with it (the `api` chunk of vite.config.ts).
 */

/** The query string of a list request, without empty values (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
