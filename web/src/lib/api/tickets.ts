import { query } from './query.ts';
import type { Call } from './request.ts';
import type { z } from 'zod';
import type { ResolvedTicketSchema } from '../../../../server/src/schemas/tickets.ts';
import type { MoveBody, NewTicket, Page, Ticket, TicketPatch } from './types.ts';

/** A ticket key the caller may see, and the ticket it names. */
export type ResolvedTicket = z.infer<typeof ResolvedTicketSchema>;

/** The list filters of `GET /tickets/`, `ordering`, `page` and `page_size` (SPEC §5). */
export type TicketQuery = Record<string, string | number | boolean | null | undefined>;

/** Tickets: read, list, create, edit and move (`/tickets/…`). */
export function ticketCalls(call: Call) {
  return {
    /** The ticket, and its project topic's `seq` it was read at (subscribe from it). */
    ticket: (id: number) => call<Ticket & { seq: number }>('GET', `/tickets/${id}/`),
    /** Close (to the first done column) or reopen (to the first open one) a ticket: the client's own, or as staff. */
    closeTicket: (id: number) => call<Ticket>('POST', `/tickets/${id}/close/`),
    reopenTicket: (id: number) => call<Ticket>('POST', `/tickets/${id}/reopen/`),
    /** A page of tickets matching `params`. */
    listTickets: (params: TicketQuery) => call<Page<Ticket>>('GET', `/tickets/${query(params)}`),
    /** Tickets the caller can see (a company person: their companies'), most recently updated first. */
    portalTickets: (
      params: { project?: number; page?: number; page_size?: number; search?: string; waiting?: boolean } = {},
    ) => call<Page<Ticket>>('GET', `/tickets/${query({ ordering: '-updated_at', page_size: 50, ...params })}`),
    /** A column's tickets, archived or not (the server refuses to delete a column that holds any). */
    columnTickets: (project: number, column: number, archived: boolean) =>
      call<Page<Ticket>>('GET', `/tickets/${query({ project, column, is_archived: archived, page_size: 200 })}`),
    createTicket: (body: NewTicket) => call<Ticket>('POST', '/tickets/', body),
    patchTicket: (id: number, body: TicketPatch) => call<Ticket>('PATCH', `/tickets/${id}/`, body),
    moveTicket: (id: number, body: MoveBody) => call<Ticket>('POST', `/tickets/${id}/move/`, body),
    /** Which of these keys (at most 100) name tickets the caller may see; the others are left out. */
    resolveTicketKeys: (keys: readonly string[]) =>
      call<ResolvedTicket[]>('GET', `/tickets/resolve/${query({ keys: keys.join(',') })}`),
  };
}
