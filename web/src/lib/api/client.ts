import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { adminCalls } from './admin.ts';
import { chatCalls } from './chat.ts';
import { mailboxCalls } from './mailboxes.ts';
import { replyCalls } from './replies.ts';
import { settingsCalls } from './settings.ts';
import { ticketCalls } from './tickets.ts';
import type { Branding } from '../branding.ts';
import type { Board, Me, Member, MoveBody, Page, Priority, Project, Tag, Ticket, User } from './types.ts';

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

type Fetch = typeof fetch;

/** One JSON request to the API: `path` is relative to {@link API}; a refusal throws {@link ApiError}. */
export type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The query string of a list request, without empty values (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
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
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page): reported below by status.
    }
    if (!response.ok) {
      // `/auth/…` answers are the sign-in pages' and the layout's own business (it redirects itself).
      if (response.status === 401 && !path.startsWith('/auth/')) sessionEnded();
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `The server answered ${response.status}`,
        error?.details ?? null,
      );
    }
    return json as T;
  };
}

/**
 * The REST API, over a given `fetch`: SvelteKit's in `load` (so server rendering forwards the
 * session cookie), the browser's in components. Holds no state of its own. Each area of the app
 * adds its calls from its own module (`tickets.ts`, `chat.ts`, `settings.ts`, `admin.ts`).
 *
 * @example const board = await createApi(fetch).board(7);
 */
export function createApi(fetcher: Fetch) {
  const call = requester(fetcher);
  return {
    ...ticketCalls(call),
    ...chatCalls(call),
    ...settingsCalls(call),
    ...mailboxCalls(call),
    ...replyCalls(call),
    ...adminCalls(call),
    branding: () => call<Branding>('GET', '/settings/'),
    updateBranding: (body: { site_name?: string; accent_colour?: string }) =>
      call<Branding>('PATCH', '/settings/', body),
    /** Uploads the logo or favicon as the raw request body. */
    setBrandImage: (which: 'logo' | 'favicon', file: Blob) => call<Branding>('PUT', `/settings/${which}/`, file),
    clearBrandImage: (which: 'logo' | 'favicon') => call<Branding>('DELETE', `/settings/${which}/`),
    needsSetup: () => call<{ needs_setup: boolean }>('GET', '/auth/setup/').then((r) => r.needs_setup),
    register: (body: { username: string; email: string; password: string; name?: string }) =>
      call<{ user: User }>('POST', '/auth/register/', body),
    login: (body: { username?: string; email?: string; password: string }) =>
      call<{ user: User }>('POST', '/auth/login/', body),
    logout: () => call<{ status: string }>('POST', '/auth/logout/'),
    me: () => call<Me>('GET', '/auth/me/'),
    projects: () => call<Page<Project>>('GET', '/projects/?page_size=200&ordering=name'),
    createProject: (body: { name: string; key: string; description?: string }) =>
      call<Project>('POST', '/projects/', body),
    project: (id: number) => call<Project>('GET', `/projects/${id}/`),
    board: (id: number) => call<Board>('GET', `/projects/${id}/board/`),
    members: (id: number) => call<Page<Member>>('GET', `/projects/${id}/members/?page_size=200`),
    tags: (project: number) => call<Page<Tag>>('GET', `/tags/?project=${project}&page_size=200`),
    createTicket: (body: { project: number; title: string; column: number }) => call<Ticket>('POST', '/tickets/', body),
    moveTicket: (id: number, body: MoveBody) => call<Ticket>('POST', `/tickets/${id}/move/`, body),
    /** A page of tickets: `params` are the list filters, `ordering`, `page` and `page_size` (SPEC §5). */
    listTickets: (params: Record<string, string | number | boolean | null | undefined>) =>
      call<Page<Ticket>>('GET', `/tickets/${query(params)}`),
    priorities: () => call<Page<Priority>>('GET', '/priorities/'),
  };
}

export type Api = ReturnType<typeof createApi>;
