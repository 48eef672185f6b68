import type { Call } from './request.ts';
import type { Activity, Page } from './types.ts';

/** A ticket's activity log, newest first (`/tickets/{id}/activity/`). */
export function activityCalls(call: Call) {
  return {
    activity: (ticket: number) => call<Page<Activity>>('GET', `/tickets/${ticket}/activity/?page_size=100`),
  };
}
