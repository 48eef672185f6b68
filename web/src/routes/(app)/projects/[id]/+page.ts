import { companyCalls } from '#lib/api/companies.ts';
import { fieldCalls } from '#lib/api/fields.ts';
import { priorityCalls } from '#lib/api/priorities.ts';
import { projectCalls } from '#lib/api/projects.ts';
import { requester } from '#lib/api/request.ts';
import { tagCalls } from '#lib/api/tags.ts';
import { loadFilterOptions } from '#lib/state/filters.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent }) => {
  const { project } = await parent();
  // Only the resources the board reads: `createApi` would bring every call into its first load (decision 0061).
  const call = requester(fetch);
  const api = {
    ...projectCalls(call),
    ...tagCalls(call),
    ...fieldCalls(call),
    ...priorityCalls(call),
    ...companyCalls(call),
  };
  const [board, members, tags, fields, options] = await Promise.all([
    api.board(project.id),
    api.members(project.id),
    api.tags(project.id),
    api.fields(project.id),
    loadFilterOptions(api, project),
  ]);
  return { board, members: members.results, tags: tags.results, fields: fields.results, ...options };
};
