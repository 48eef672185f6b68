import { z } from '@hono/zod-openapi';
import { badRequest, notFound } from './errors.ts';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** `page` and `page_size` as DRF's PageNumberPagination reads them; page_size is capped at 200. */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ example: 1 }),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_PAGE_SIZE)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE))
    .openapi({ example: 50 }),
});

export interface PageParams {
  page: number;
  page_size: number;
}

/** The DRF list envelope around a schema of items, for OpenAPI responses. */
export function paginated<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      count: z.number().int(),
      next: z.string().nullable(),
      previous: z.string().nullable(),
      results: z.array(item),
    })
    .openapi(`Paginated${name}`);
}

/**
 * A list of a topic's items that also says the topic's seq it was read at, so a client can
 * subscribe from there (`subscribe {topic, since: seq}`) and miss nothing.
 */
export function paginatedWithSeq<T extends z.ZodTypeAny>(item: T, name: string) {
  return paginated(item, name)
    .extend({
      seq: z
        .number()
        .int()
        .openapi({ description: 'The topic seq this list was read at: subscribe with it as `since`' }),
    })
    .openapi(`Paginated${name}`);
}

/** Offset and limit for a page. */
export function pageWindow(params: PageParams) {
  return { limit: params.page_size, offset: (params.page - 1) * params.page_size };
}

/**
 * Wraps one page of results in `{count, next, previous, results}`; `next`/`previous` are full
 * URLs carrying every other query parameter. A page past the end answers 404 as DRF did.
 */
export function pageEnvelope<T>(requestUrl: string, params: PageParams, count: number, results: T[]) {
  const last = Math.max(1, Math.ceil(count / params.page_size));
  // Lists count with `count(*) over ()`, which is absent on an empty page: past the end is empty.
  if (params.page > 1 && results.length === 0) throw notFound('Invalid page.');
  const link = (page: number) => {
    const url = new URL(requestUrl);
    if (page === 1) url.searchParams.delete('page');
    else url.searchParams.set('page', String(page));
    return url.toString();
  };
  return {
    count,
    next: params.page < last ? link(params.page + 1) : null,
    previous: params.page > 1 ? link(params.page - 1) : null,
    results,
  };
}

/**
 * Parses `ordering=-created_at,priority_id` against an allow-list of API field names.
 * Anything not on the list is a 400, so a typo is never silently ignored.
 */
export function parseOrdering<F extends string>(
  raw: string | undefined,
  allowed: readonly F[],
): { field: F; desc: boolean }[] {
  if (!raw) return [];
  return raw.split(',').map((part) => {
    const desc = part.startsWith('-');
    const field = (desc ? part.slice(1) : part).trim();
    if (!(allowed as readonly string[]).includes(field)) {
      throw badRequest(`Unknown ordering field '${field}'`, { ordering: [`allowed: ${allowed.join(', ')}`] });
    }
    return { field: field as F, desc };
  });
}

/** The `ordering` query parameter, documented with its allow-list. */
export const orderingParam = (allowed: readonly string[]) =>
  z
    .string()
    .max(200)
    .optional()
    .openapi({ description: `Comma-separated, '-' for descending. One of: ${allowed.join(', ')}` });

/** An ILIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** `search=`, bounded so a huge query string cannot become a huge pattern. */
export const searchParam = z.string().max(200).optional().openapi({ description: 'Case-insensitive text search' });

/** One page of a short list already in memory (columns, tags, priorities). */
export function pageOfArray<T>(items: T[], params: PageParams): { count: number; results: T[] } {
  const { limit, offset } = pageWindow(params);
  return { count: items.length, results: items.slice(offset, offset + limit) };
}
