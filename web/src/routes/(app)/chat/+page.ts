import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

/** The rooms the caller can talk in, most recently active first (all, or one project's with `?project=`). */
export const load: PageLoad = async ({ fetch, url }) => {
  const api = createApi(fetch);
  const wanted = Number(url.searchParams.get('project')) || null;
  const [projects, rooms] = await Promise.all([
    api.projects(),
    api.chatRooms({ project: wanted ?? undefined, page_size: 200 }),
  ]);
  return {
    projects: projects.results,
    project: wanted,
    rooms: rooms.results,
    room: Number(url.searchParams.get('room')) || null,
  };
};
