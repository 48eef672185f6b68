import { error } from '@sveltejs/kit';
import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** Everything the settings sections edit, read at once; only the project's superadmins and superusers get here (SPEC §4). */
export const load: PageLoad = async ({ fetch, parent }) => {
  const { project, me } = await parent();
  if (!me.is_superuser && project.role !== 'superadmin') {
    error(403, 'Only this project’s superadmins (and instance superusers) can change its settings.');
  }
  const api = createApi(fetch);
  const [columns, tags, fields, members, companies, webhooks, mailboxes, priorities] = await Promise.all([
    api.columns(project.id),
    api.tags(project.id),
    api.fields(project.id),
    api.members(project.id),
    api.companies(),
    api.webhooks(project.id),
    api.mailboxes(project.id),
    api.priorities(),
  ]);
  return {
    columns: columns.results,
    tags: tags.results,
    fields: fields.results,
    members: members.results,
    companies: companies.results,
    webhooks: webhooks.results,
    mailboxes: mailboxes.results,
    priorities,
  };
};
