import type { Handle, HandleFetch } from '@sveltejs/kit/hooks';
import { parseTheme, THEME_COOKIE } from '#lib/state/theme.svelte.ts';

/**
 * The Laneway server registers its API here before it loads this app, so server rendering
 * calls the API in-process (no second HTTP hop, no port to know). Under `vite dev` it is
 * absent and the request goes to the dev server, which proxies `/api` to the API server.
 */
const API_BRIDGE = Symbol.for('laneway.api');
type ApiBridge = (request: Request) => Promise<Response>;

function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const url = new URL(request.url);
  if (url.origin !== event.url.origin || !isApiPath(url.pathname)) return fetch(request);
  // The API authenticates by the session cookie, as it would for the browser's own request.
  const headers = new Headers(request.headers);
  const cookie = event.request.headers.get('cookie');
  if (cookie) headers.set('cookie', cookie);
  const userAgent = event.request.headers.get('user-agent');
  if (userAgent) headers.set('user-agent', userAgent);
  const forwarded = new Request(request, { headers });
  const bridge = (globalThis as Record<symbol, unknown>)[API_BRIDGE] as ApiBridge | undefined;
  return bridge ? bridge(forwarded) : globalThis.fetch(forwarded);
};

/** Headers the API's responses get from the server's secureHeaders, for the pages too (CSP: vite.config.ts). */
const PAGE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export const handle: Handle = async ({ event, resolve }) => {
  // The theme the user picked (light, dark, or the system's), set on <html> before first paint.
  const theme = parseTheme(event.cookies.get(THEME_COOKIE));
  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%laneway.theme%', theme),
  });
  for (const [name, value] of Object.entries(PAGE_HEADERS)) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
};
