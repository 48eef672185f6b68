import { error } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const api = createApi(fetch);
  const { oidc } = await api.setupState();
  if (!oidc.enabled) error(404, 'Single sign-on is not configured');
  return { label: oidc.label ?? 'Single sign-on', identities: await api.ssoIdentities() };
};
