import type { Category } from '#lib/api/index.ts';

/** A ticket's status as a client reads it (the category of its column). */
export const STATUS_LABEL: Record<Category, string> = { todo: 'Open', in_progress: 'In progress', done: 'Done' };

/** A time in the viewer's time zone. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
