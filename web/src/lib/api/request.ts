/**
 * The one way the web app talks to the REST API (SPEC §5): JSON in and out, the server's error
 * envelope as {@link ApiError}. Every resource module (`tickets.ts`, `columns.ts`, …) builds its
 * calls on a {@link Call}; `index.ts` puts them together. Imports nothing of its siblings.
 */
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';

/** Every REST path the app calls starts here (SPEC §5). */
export const API = '/api/tickets';

/** A refused request: the server's error envelope `{error: {code, message, details}}` and status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export type Fetch = typeof fetch;

/** One JSON request to the API: `path` is relative to {@link API}; a refusal throws {@link ApiError}. */
export type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The {@link ApiError} for a refused answer: the envelope's code, message and details when the
 * body is one, else `fallback` (a proxy's HTML error page says nothing we can show).
 */
export function refusal(status: number, json: unknown, fallback: string): ApiError {
  const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  return new ApiError(status, error?.code ?? 'http_error', error?.message ?? fallback, error?.details ?? null);
}

/** A response body as JSON, or null when it is empty or not JSON (a proxy's error page). */
export function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * A request in the browser answered 401: the session expired or was ended elsewhere. The user
 * signs in again and comes back to this page (SPEC §8). Not on the sign-in pages themselves,
 * where a 401 is a wrong password.
 */
function sessionEnded(): void {
  if (typeof window === 'undefined') return;
  const here = location.pathname + location.search;
  if (/^\/(login|setup)(\/|$)/.test(location.pathname)) return;
  void goto(resolve(`login?next=${encodeURIComponent(here)}`), { invalidateAll: true });
}

/** The JSON request function over a given `fetch`. */
export function requester(fetcher: Fetch): Call {
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetcher(`${API}${path}`, {
        method,
        // A Blob (an image to upload) goes as it is, with its own type; anything else as JSON.
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': body instanceof Blob ? body.type || 'application/octet-stream' : 'application/json' },
        body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
    }
    if (response.status === 204) return undefined as T;
    const json = parseJson(await response.text());
    if (!response.ok) {
      // `/auth/…` answers are the sign-in pages' and the layout's own business (it redirects itself).
      if (response.status === 401 && !path.startsWith('/auth/')) sessionEnded();
      throw refusal(response.status, json, `The server answered ${response.status}`);
    }
    return json as T;
  };
}
