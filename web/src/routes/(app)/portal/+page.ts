import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** The portal's home: the caller's companies' tickets, and what a new ticket can be filed under. */
export const load: PageLoad = async ({ fetch, depends }) => {
  // Re-read (invalidate) when a linked project's topic says something changed.
  depends('laneway:portal');
  const api = createApi(fetch);
  const [tickets, projects, companies] = await Promise.all([
    api.portalTickets({ page_size: 100 }),
    api.projects(),
    api.companies(),
  ]);
  return { tickets, projects: projects.results, companies: companies.results };
};
