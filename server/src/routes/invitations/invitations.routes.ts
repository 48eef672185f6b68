import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { InvitationPreviewSchema, InvitationSchema } from '../../schemas/invitations.ts';
import { PROJECT_ROLES } from '../../schemas/projects.ts';
import { UserSchema } from '../../schemas/users.ts';
import { Email, Password, PersonName, Username } from '../users/users.routes.ts';

const NewInvitationBody = z
  .object({
    email: Email,
    name: PersonName.optional(),
    projects: z
      .array(z.object({ project: z.number().int().min(1).max(2_147_483_647), role: z.enum(PROJECT_ROLES) }).strict())
      .max(50)
      .optional(),
    company: z
      .object({ id: z.number().int().min(1).max(2_147_483_647), role: z.enum(['admin', 'user']) })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('NewInvitation');

const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'token', in: 'path' } }),
});

export const createInvitation = createRoute({
  method: 'post',
  path: '/invitations',
  tags: ['invitations'],
  summary:
    'Invite an address into projects (with a role) and/or a company; an existing account gets the memberships at once',
  request: { body: jsonBody(NewInvitationBody) },
  responses: {
    201: json(InvitationSchema, 'Invited (`accepted_at` set when the address already had an account)'),
    ...errors(400, 401, 403, 404, 409),
  },
});

export const listInvitations = createRoute({
  method: 'get',
  path: '/invitations',
  tags: ['invitations'],
  summary:
    "Invitations, newest first: all (superuser), their projects' (superadmins), their company's (company admins)",
  request: { query: PageQuery },
  responses: { 200: json(paginated(InvitationSchema, 'Invitations'), 'One page'), ...errors(400, 401, 403) },
});

export const revokeInvitation = createRoute({
  method: 'delete',
  path: '/invitations/{id}',
  tags: ['invitations'],
  summary: 'Revoke a pending invitation: its link stops working',
  request: { params: IdParam },
  responses: { 204: { description: 'Revoked' }, ...errors(401, 404, 409) },
});

export const previewInvitation = createRoute({
  method: 'get',
  path: '/auth/invitations/{token}',
  tags: ['invitations'],
  summary: 'What an invitation offers (public); an unknown, used, revoked or expired token is one 404',
  security: [],
  request: { params: TokenParam },
  responses: { 200: json(InvitationPreviewSchema, 'The invitation'), ...errors(404) },
});

export const acceptInvitation = createRoute({
  method: 'post',
  path: '/auth/invitations/{token}/accept',
  tags: ['invitations'],
  summary: 'Accept an invitation, once: creates the account with the invited address and signs it in',
  security: [],
  request: {
    params: TokenParam,
    body: jsonBody(z.object({ username: Username, password: Password, name: PersonName.optional() }).strict()),
  },
  responses: {
    201: json(z.object({ access: z.string(), refresh: z.string(), user: UserSchema }), 'Created and signed in'),
    ...errors(400, 404, 409),
  },
});
