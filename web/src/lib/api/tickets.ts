import type { Call } from './client.ts';

/** REST calls for the ticket page and drawer: ticket detail and edit, comments, attachments, activity. */
export function ticketCalls(_call: Call) {
  return {};
}
