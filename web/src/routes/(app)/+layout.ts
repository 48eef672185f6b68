import { redirect } from '@sveltejs/kit';
import { authCalls } from '#lib/api/auth.ts';
import { ApiError, requester } from '#lib/api/request.ts';
import { isClient } from '#lib/state/session.svelte.ts';
import type { LayoutLoad } from './$types';
import { clientMayOpen } from './portal/client-access.ts';

/**
 * Every page of the app needs a signed-in user. A signed-out visitor goes to /login (or to
 * /setup on a new installation) and comes back here after signing in.
 */
export const load: LayoutLoad = async ({ fetch, url, untrack }) => {
  const api = authCalls(requester(fetch));
  try {
    const me = await api.me();
    // Clients reach their portal and nothing else. Untracked: this load must not run again on
    // every navigation (the layout's `beforeNavigate` guards those).
    // REQUIRE_2FA covers this account and it has no 2FA yet: nothing else answers until it enrols.
    if (me.mfa_setup_required && untrack(() => url.pathname) !== '/account') redirect(307, '/account');
    if (isClient(me) && !untrack(() => clientMayOpen(url.pathname))) redirect(307, '/portal');
    return { me };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  if (await api.needsSetup()) redirect(307, '/setup');
  const next = url.pathname + url.search;
  redirect(307, next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
};
