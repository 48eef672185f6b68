import { createApi } from '#lib/api/index.ts';
import { loadFilterOptions } from '#lib/state/filters.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent }) => {
  const { project } = await parent();
  const api = createApi(fetch);
  const [board, members, tags, fields, options] = await Promise.all([
    api.board(project.id),
    api.members(project.id),
    api.tags(project.id),
    api.fields(project.id),
    loadFilterOptions(api, project),
  ]);
  return { board, members: members.results, tags: tags.results, fields: fields.results, ...options };
};
