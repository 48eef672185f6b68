import { isDeepStrictEqual } from 'node:util';
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { AppError } from '../lib/errors.ts';
import { jsonBody } from '../lib/openapi.ts';

/**
 * What old Django REST Framework clients rely on (issue 13, item 17; docs/decisions/0017).
 *
 * DRF serializers ignored read-only fields in a body, so its clients PATCH (or PUT) back a
 * resource as they fetched it, `id`, `key` and `created_at` included. Laneway's bodies are strict
 * (a server-owned field in a body is a 400, never silently taken), so a read-only field is
 * accepted only when it equals the stored value, and is then dropped before the service sees
 * the body: a fetched resource sent back unchanged is accepted, while a real attempt to change
 * `number` or `status` is still refused and says which field.
 */

const readOnlyField = z
  .unknown()
  .optional()
  .openapi({ description: 'Read-only: accepted only when equal to the stored value, then ignored' });

const ignoredField = z
  .unknown()
  .optional()
  .openapi({ description: 'Part of the read, not of the resource (such as `seq`), or a running total: ignored' });

/**
 * `body` (a strict write schema) widened with every field of `resource` it lacks, as optional
 * read-only fields for `dropUnchanged` to check. `name` is the OpenAPI component's name.
 */
export function withReadOnly<B extends z.ZodObject>(
  body: B,
  resource: z.ZodObject,
  name: string,
  ignored: readonly string[] = [],
) {
  const readOnly = Object.keys(resource.shape).filter((key) => !(key in body.shape) && !ignored.includes(key));
  const extra = Object.fromEntries([
    ...readOnly.map((key) => [key, readOnlyField] as const),
    ...ignored.map((key) => [key, ignoredField] as const),
  ]);
  return { schema: body.extend(extra).openapi(name), readOnly, ignored };
}

/**
 * The body without the read-only fields it carries, after checking each equals the stored
 * resource (`load` runs only when one is present, so plain PATCHes cost no extra read).
 * A field that differs is a 400 naming it, as any invalid field is; a body that carries a
 * stale `version` is left to the service's 409.
 */
export async function dropUnchanged<B extends object>(
  body: B,
  { readOnly, ignored }: { readOnly: readonly string[]; ignored: readonly string[] },
  load: () => Promise<object>,
): Promise<B> {
  const present = readOnly.filter((key) => key in body);
  if (ignored.some((key) => key in body)) {
    body = Object.fromEntries(Object.entries(body).filter(([key]) => !ignored.includes(key))) as B;
  }
  if (present.length === 0) return body;
  const stored = (await load()) as Record<string, unknown>;
  const given = body as Record<string, unknown>;
  // A body read at an older `version` differs in `updated_at` and the like: the service's 409
  // for the stale version is the answer it needs, so nothing is compared.
  const stale = given.version !== undefined && stored.version !== undefined && given.version !== stored.version;
  const changed = stale ? [] : present.filter((key) => !isDeepStrictEqual(given[key], stored[key]));
  if (changed.length > 0) {
    throw new AppError(
      'validation_error',
      `Read-only field${changed.length > 1 ? 's' : ''} cannot be changed: ${changed.join(', ')}`,
      Object.fromEntries(changed.map((key) => [key, ['This field is read-only']])),
    );
  }
  return Object.fromEntries(Object.entries(given).filter(([key]) => !present.includes(key))) as B;
}

/**
 * DRF's `update` beside its `partial_update`: a PUT at the PATCH route's path whose body must
 * carry the fields a create requires, and may carry the read-only ones. Fields it leaves out
 * keep their values, as DRF's ModelSerializer did.
 */
export function putRoute<Q extends z.ZodObject, B extends z.ZodObject>(
  patch: RouteConfig & { request: { params: Q } },
  body: B,
  summary: string,
) {
  const { path, tags, responses } = patch;
  const request = { params: patch.request.params, body: jsonBody(body) };
  return createRoute({ path, tags, responses, method: 'put', summary, request });
}

/** A route pattern (`/api/tickets/tickets/:id`) as a regular expression; a trailing slash is optional. */
function patternOf(path: string): RegExp {
  const source = path
    .replace(/\/+$/, '')
    .split('/')
    .map((part) => {
      if (part === '*') return '.*';
      const param = /^:\w+(?:\{(.+)\})?$/.exec(part);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * The methods some route answers at a path, for DRF's 405 (with `Allow`) where a path exists
 * but not for the method asked: `PUT /tickets/1/attachments/` is a 405, `GET /nothing/` a 404.
 * Built once from the app's routes; middleware (`ALL`) is not a route.
 */
export function allowedMethods(routes: readonly { path: string; method: string }[]) {
  const byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { path, method } of routes) {
    if (method === 'ALL') continue;
    const entry = byPattern.get(path) ?? { pattern: patternOf(path), methods: new Set<string>() };
    entry.methods.add(method);
    if (method === 'GET') entry.methods.add('HEAD');
    byPattern.set(path, entry);
  }
  const entries = [...byPattern.values()];
  return (path: string): string[] => {
    const methods = new Set<string>();
    for (const entry of entries) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
    if (methods.size > 0) methods.add('OPTIONS');
    return [...methods].sort();
  };
}
