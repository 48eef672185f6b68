import { error } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** The project's report over `?days=` (default 30); managers and up only (SPEC §4). */
export const load: PageLoad = async ({ fetch, parent, url }) => {
  const { project, me } = await parent();
  const role = project.role;
  if (!me.is_superuser && role !== 'superadmin' && role !== 'admin' && role !== 'manager') {
    error(403, 'Reports are for this project’s managers, admins and superadmins.');
  }
  const asked = Number(url.searchParams.get('days') ?? 30);
  const days = Number.isInteger(asked) && asked >= 1 && asked <= 365 ? asked : 30;
  return { report: await createApi(fetch).report(project.id, days), days };
};
