import { lifetimes } from '../server/src/auth/middleware.ts';
import { createSession } from '../server/src/auth/sessions.ts';
import type { TestApp, TestResponse } from './harness.ts';

/** The prefix every API route lives under; the OpenAPI document names paths with it. */
export const API_PREFIX = '/api/tickets';

/** Routes outside the permission model: liveness, readiness, the database ping. */
export const INFRA_PATHS = new Set(['/health', '/ready', '/db-check']);

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One operation of the app's OpenAPI document. */
export interface Operation {
  method: HttpMethod;
  /** The document's path, e.g. `/api/tickets/tickets/{id}/move`. */
  fullPath: string;
  /** The path under the API prefix, e.g. `/tickets/{id}/move` (the full path outside it). */
  path: string;
  /** Marked `security: []` in the document: reachable without signing in. */
  isPublic: boolean;
  /** Path parameter names, in order of appearance in the path. */
  pathParams: string[];
  /** Query parameters: name, schema, and whether the route requires it. */
  queryParams: { name: string; schema: any; required: boolean }[];
  /** Request body media types and their JSON schemas (with `$ref`s resolved one level). */
  body: { mediaType: string; schema: any; required: boolean } | null;
  /** Statuses documented as an HTML page rather than the error envelope (single sign-on's browser routes). */
  htmlStatuses: number[];
}

const METHODS: HttpMethod[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/**
 * A route's identity regardless of parameter names and trailing slash:
 * `routeKey('patch', '/comments/{comment_id}/')` is `PATCH /comments/{}`.
 */
export function routeKey(method: string, path: string): string {
  const clean = path
    .split('?')[0]!
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/\/+$/, '');
  return `${method.toUpperCase()} ${clean || '/'}`;
}

/** Resolves a local `$ref` (`#/components/schemas/X`) against the document. */
export function deref(doc: any, schema: any): any {
  let current = schema;
  for (let i = 0; i < 10 && current && typeof current === 'object' && typeof current.$ref === 'string'; i++) {
    const parts = (current.$ref as string).replace(/^#\//, '').split('/');
    current = parts.reduce((node: any, key) => node?.[key], doc);
  }
  return current;
}

/** Every operation in an OpenAPI 3.1 document, in document order. */
export function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [fullPath, item] of Object.entries((doc.paths ?? {}) as Record<string, any>)) {
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => deref(doc, p));
      const content = (op.requestBody?.content ?? {}) as Record<string, any>;
      const [mediaType, media] = Object.entries(content)[0] ?? [];
      out.push({
        method,
        fullPath,
        path: fullPath.startsWith(`${API_PREFIX}/`) ? fullPath.slice(API_PREFIX.length) : fullPath,
        isPublic: Array.isArray(op.security) && op.security.length === 0,
        pathParams: [...fullPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        queryParams: params
          .filter((p: any) => p?.in === 'query')
          .map((p: any) => ({
            name: p.name as string,
            schema: deref(doc, p.schema) ?? {},
            required: p.required === true,
          })),
        body: mediaType
          ? { mediaType, schema: deref(doc, media?.schema) ?? {}, required: op.requestBody?.required === true }
          : null,
        htmlStatuses: Object.entries((op.responses ?? {}) as Record<string, any>)
          .filter(([, response]) => response?.content?.['text/html'])
          .map(([status]) => Number(status)),
      });
    }
  }
  return out;
}

/** Fetches the app's own OpenAPI document. */
export async function openApiDocument(t: TestApp): Promise<any> {
  const res = await t.get('//api/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json answered ${res.status}`);
  return res.body;
}

/**
 * A new session for a user, opened directly (no password hashing), for routes that end
 * sessions (logout, logout-all, password change) so the caller's other tokens can be restored.
 */
export async function mintToken(t: TestApp, userId: number): Promise<string> {
  const tokens = await createSession(t.runtime.deps.db, userId, lifetimes(t.runtime.deps.config), {
    userAgent: 'laneway-tests',
    ip: '127.0.0.1',
  });
  return tokens.access;
}

/** Throws with the response when a setup request did not answer `status`. */
export function expectStatus<T>(res: TestResponse<T>, status: number, what: string): TestResponse<T> {
  if (res.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res;
}

/** Whether a body is the API's error envelope `{error: {code, message, details}}`. */
export function isErrorEnvelope(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const error = (body as { error?: unknown }).error;
  return (
    !!error &&
    typeof error === 'object' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string' &&
    'details' in error
  );
}
