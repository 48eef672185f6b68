import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** The portal's home: the caller's companies' tickets, and what a new ticket can be filed under. */
export const load: PageLoad = async ({ fetch, depends }) => {
  // Re-read (invalidate) when a linked project's topic says something changed.
  depends('laneway:portal');
  const api = createApi(fetch);
  const [tickets, waiting, projects, companies] = await Promise.all([
    api.portalTickets({ page_size: 100 }),
    // "Waiting for you": support answered last (the server's `waiting` filter).
    api.portalTickets({ waiting: true, page_size: 200 }),
    api.projects(),
    api.companies(),
  ]);
  return {
    tickets,
    waiting: waiting.results.map((t) => t.id),
    projects: projects.results,
    companies: companies.results,
  };
};
