import { error } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/index.ts';
import { loadTicketData } from '#lib/state/ticket.svelte.ts';
import type { PageLoad } from './$types';

/** The ticket page: the ticket and what it shows, read in one go (also how the drawer reads it). */
export const load: PageLoad = async ({ fetch, params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) error(404, 'Not found');
  try {
    return { ticket: await loadTicketData(createApi(fetch), id) };
  } catch (e) {
    // What the caller may not see is a 404, exactly as the API answers (SPEC §4).
    if (e instanceof ApiError && e.status === 404) error(404, 'No such ticket');
    throw e;
  }
};
