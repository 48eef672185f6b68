import { error } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import { auditFilters } from './audit-filters.ts';
import type { PageLoad } from './$types';

/** The instance's audit log (SPEC §11): superusers only. */
export const load: PageLoad = async ({ fetch, parent, url }) => {
  const { me } = await parent();
  if (!me.is_superuser) error(403, 'The audit log is for instance superusers only.');
  const api = createApi(fetch);
  const [entries, users] = await Promise.all([api.audit({ ...auditFilters(url), page_size: 50 }), api.users()]);
  return { entries, users: users.results };
};
