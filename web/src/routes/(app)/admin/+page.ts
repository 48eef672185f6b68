import { error } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** Instance administration: instance superusers only (SPEC §4); everyone else gets a 403 page. */
export const load: PageLoad = async ({ fetch, parent }) => {
  const { me } = await parent();
  if (!me.is_superuser) error(403, 'Administration is for instance superusers only.');
  const api = createApi(fetch);
  const [users, companies, contacts, invitations, projects] = await Promise.all([
    api.users(),
    api.companies(),
    api.contacts(),
    api.invitations(),
    api.projects(),
  ]);
  return { users, companies: companies.results, contacts, invitations, projects: projects.results };
};
