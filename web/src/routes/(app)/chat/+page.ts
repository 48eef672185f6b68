import type { ChatRoom } from '#lib/api/chat.ts';
import { createApi } from '#lib/api/client.ts';
import type { PageLoad } from './$types';

/**
 * The rooms the caller can talk in, most recently active first: the server lists them per
 * project, so the projects' lists are read side by side and merged (or one, with `?project=`).
 */
export const load: PageLoad = async ({ fetch, url }) => {
  const api = createApi(fetch);
  const projects = (await api.projects()).results;
  const wanted = Number(url.searchParams.get('project')) || null;
  const shown = wanted === null ? projects : projects.filter((p) => p.id === wanted);
  const pages = await Promise.all(shown.map((p) => api.chatRooms(p.id, 100)));
  const rooms: ChatRoom[] = pages
    .flatMap((page) => page.results)
    .sort(
      (a, b) =>
        (b.last_message_at ?? '').localeCompare(a.last_message_at ?? '') || b.created_at.localeCompare(a.created_at),
    );
  // Rooms are named by ticket key: the (open) tickets' titles say what each one is about.
  const withRooms = [...new Set(rooms.map((r) => r.project))];
  const tickets = await Promise.all(withRooms.map((project) => api.portalTickets({ project, page_size: 200 })));
  const titles: Record<number, string> = {};
  for (const ticket of tickets.flatMap((page) => page.results)) titles[ticket.id] = ticket.title;
  return { projects, project: wanted, rooms, titles, room: Number(url.searchParams.get('room')) || null };
};
