import { error } from '@sveltejs/kit';
import { projectCalls } from '#lib/api/projects.ts';
import { ApiError, requester } from '#lib/api/request.ts';
import type { LayoutLoad } from './$types';

/** The project every view under `/projects/{id}` shows (board, table, reports, settings). */
export const load: LayoutLoad = async ({ fetch, params }) => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id < 1) error(404, 'Not found');
  try {
    return { project: await projectCalls(requester(fetch)).project(id) };
  } catch (e) {
    // What the caller may not see is a 404, exactly as the API answers (SPEC §4).
    if (e instanceof ApiError && e.status === 404) error(404, 'No such project');
    throw e;
  }
};
