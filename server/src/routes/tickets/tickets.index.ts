import { createRouter } from '../create-router.ts';
import * as h from './tickets.handlers.ts';
import * as r from './tickets.routes.ts';

export const ticketsRouter = createRouter()
  .openapi(r.listTickets, h.listTickets)
  .openapi(r.createTicket, h.createTicket)
  .openapi(r.resolveTicketKeys, h.resolveTicketKeys)
  .openapi(r.getTicket, h.getTicket)
  .openapi(r.patchTicket, h.patchTicket)
  .openapi(r.putTicket, h.putTicket)
  .openapi(r.deleteTicket, h.deleteTicket)
  .openapi(r.moveTicket, h.moveTicket)
  .openapi(r.closeTicket, h.closeTicket)
  .openapi(r.reopenTicket, h.reopenTicket)
  .openapi(r.archiveTicket, h.archiveTicket)
  .openapi(r.unarchiveTicket, h.unarchiveTicket);
