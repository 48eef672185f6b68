import { redirect } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/index.ts';
import { nextPath } from '../redirect.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const api = createApi(fetch);
  const state = await api.setupState();
  // Nobody to sign in as yet: the first run creates the superuser.
  if (state.needs_setup) redirect(307, '/setup');
  // Already signed in: straight on.
  const signedIn = await api.me().then(
    () => true,
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return false;
      throw error;
    },
  );
  if (signedIn) redirect(307, nextPath(url));
  return { oidc: state.oidc };
};
