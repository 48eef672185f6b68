import { error } from '@sveltejs/kit';
import { ApiError, createApi } from '#lib/api/client.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) error(404, 'Not found');
  const api = createApi(fetch);
  try {
    const [project, board, members, tags] = await Promise.all([
      api.project(id),
      api.board(id),
      api.members(id),
      api.tags(id),
    ]);
    return { project, board, members: members.results, tags: tags.results };
  } catch (e) {
    // What the caller may not see is a 404, exactly as the API answers (SPEC §4).
    if (e instanceof ApiError && e.status === 404) error(404, 'No such project');
    throw e;
  }
};
