import { ApiError, createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** The invitation behind the link, or null when it is unknown, used, revoked or expired. */
export const load: PageLoad = async ({ fetch, params }) => {
  try {
    return { invitation: await createApi(fetch).invitation(params.token) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { invitation: null };
    throw error;
  }
};
