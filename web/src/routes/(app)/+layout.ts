import { redirect } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/client.ts';
import type { LayoutLoad } from './$types';

/**
 * Every page of the app needs a signed-in user. A signed-out visitor goes to /login (or to
 * /setup on a new installation) and comes back here after signing in.
 */
export const load: LayoutLoad = async ({ fetch, url }) => {
  const api = createApi(fetch);
  try {
    return { me: await api.me() };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  if (await api.needsSetup()) redirect(307, '/setup');
  const next = url.pathname + url.search;
  redirect(307, next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
};
