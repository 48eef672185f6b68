import { redirect } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import { isClient } from '#lib/state/session.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent }) => {
  // Clients have no projects page: their home is the portal.
  if (isClient((await parent()).me)) redirect(307, '/portal');
  return { projects: (await createApi(fetch).projects()).results };
};
