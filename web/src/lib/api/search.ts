/** Search everywhere (`GET /search/?q=`): projects, tickets, comments and chat messages, best first. */
import type { z } from 'zod';
import type { SearchResultSchema, SearchType } from '../../../../server/src/schemas/search.ts';
import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type SearchResult = z.infer<typeof SearchResultSchema>;
export type { SearchType };

export function searchCalls(call: Call) {
  return {
    /** One page of what the caller may see that matches `q` (words as prefixes, or a ticket key). */
    search: (q: string, params: { type?: SearchType; page_size?: number } = {}) =>
      call<Page<SearchResult>>('GET', `/search/${query({ q, page_size: 20, ...params })}`),
  };
}
