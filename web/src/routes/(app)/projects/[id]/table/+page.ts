import { redirect } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/index.ts';
import { filtersToQuery, loadFilterOptions, parseFilters } from '#lib/state/filters.svelte.ts';
import type { PageLoad } from './$types';
import { ordering, PAGE_SIZE, parsePage, parseSort } from './table-query.ts';

/** A page of the project's tickets, as the URL's filters, sort and page say, and the names to show. */
export const load: PageLoad = async ({ fetch, parent, url, depends }) => {
  // Invalidated by the project topic's events (see +page.svelte).
  depends('laneway:tickets');
  const { project } = await parent();
  const api = createApi(fetch);
  const filters = parseFilters(url.searchParams);
  const sort = parseSort(url.searchParams.get('sort'));
  const page = parsePage(url.searchParams.get('page'));
  const query = { project: project.id, ...filtersToQuery(filters), ordering: ordering(sort), page_size: PAGE_SIZE };
  const [tickets, members, tags, columns, fields, options] = await Promise.all([
    api.listTickets({ ...query, page }).catch((error: unknown) => {
      // Past the last page (fewer tickets than when the link was made): back to the first.
      if (error instanceof ApiError && error.status === 404 && page > 1) {
        const first = new URL(url);
        first.searchParams.delete('page');
        redirect(307, `${first.pathname}${first.search}`);
      }
      throw error;
    }),
    api.members(project.id),
    api.tags(project.id),
    api.columns(project.id),
    api.fields(project.id),
    loadFilterOptions(api, project),
  ]);
  return {
    tickets,
    page,
    sort,
    query,
    members: members.results,
    tags: tags.results,
    columns: columns.results,
    fields: fields.results,
    ...options,
  };
};
