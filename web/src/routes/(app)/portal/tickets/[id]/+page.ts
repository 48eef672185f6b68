import { error } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** One of the client's tickets; anything they may not see is a 404, as the server answers. */
export const load: PageLoad = async ({ fetch, params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) error(404, 'No such ticket');
  try {
    return { ticket: await createApi(fetch).ticket(id) };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) error(404, 'No such ticket');
    throw e;
  }
};
