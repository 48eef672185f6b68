import { redirect } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  // Setup is for the very first user only; after that, sign in.
  if (!(await createApi(fetch).needsSetup())) redirect(307, '/login');
  return {};
};
