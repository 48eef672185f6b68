import { createRouter } from '../create-router.ts';
import * as h from './invitations.handlers.ts';
import * as r from './invitations.routes.ts';

export const invitationsRouter = createRouter()
  .openapi(r.createInvitation, h.createInvitation)
  .openapi(r.listInvitations, h.listInvitations)
  .openapi(r.revokeInvitation, h.revokeInvitation)
  .openapi(r.previewInvitation, h.previewInvitation)
  .openapi(r.acceptInvitation, h.acceptInvitation);
