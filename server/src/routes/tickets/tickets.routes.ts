import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, QueryBool, StandardErrors } from '../../lib/openapi.ts';
import { orderingParam, PageQuery, paginated, searchParam } from '../../lib/pagination.ts';
import { TICKET_ORDERING } from '../../services/tickets.ts';
import { FieldValueSchema } from '../../schemas/fields.ts';
import { Status, TicketSchema } from '../../schemas/tickets.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const Title = z.string().trim().min(1).max(500);
const Description = z.string().max(100_000);
const PriorityId = z.number().int().min(1).max(4);
const DueAt = z.iso.datetime({ offset: true }).nullable();
const Ids = z.array(Id).max(100);
const FieldValues = z
  .record(z.string().regex(/^\d{1,9}$/), FieldValueSchema.nullable())
  .refine((v) => Object.keys(v).length <= 100, 'At most 100 fields')
  .openapi({ description: 'Custom field values by field id; null clears one' });

/**
 * Server-owned fields (`version` aside, which is a precondition) are not in these schemas, and
 * the schemas are strict: `number`, `reporter`, `status`, `done_at`, `position`, `is_archived`
 * in a body are a 400, never silently taken.
 */
const NewTicketBody = z
  .object({
    project: Id,
    title: Title,
    description: Description.optional(),
    column: Id.optional(),
    priority_id: PriorityId.optional(),
    company: Id.nullable().optional(),
    contact: Id.nullable().optional(),
    assignees: Ids.optional(),
    tags: Ids.optional(),
    due_at: DueAt.optional(),
    fields: FieldValues.optional(),
    at: z.enum(['top', 'bottom']).optional().openapi({ description: 'Where in the column; default bottom' }),
  })
  .strict()
  .openapi('NewTicket');

/** Every field of a new ticket but its project and placement, plus the version precondition. */
const TicketPatchBody = NewTicketBody.omit({ project: true, at: true })
  .partial()
  .extend({
    version: z.number().int().min(1).optional().openapi({ description: 'If given, must match (else 409)' }),
    column: Id.optional().openapi({ description: 'A different column moves the ticket to its end' }),
  })
  .strict();

/**
 * PATCH and PUT bodies also take the ticket's read-only fields when unchanged (DRF clients).
 * `seq` belongs to the read and `time_spent` is a total that moves with every time entry: both
 * are ignored rather than compared, or a client's fetched copy would go stale without an edit.
 */
const READ_ONLY_IGNORED = ['seq', 'time_spent'];
export const TicketPatch = withReadOnly(TicketPatchBody, TicketSchema, 'TicketPatch', READ_ONLY_IGNORED);
export const TicketPut = withReadOnly(
  TicketPatchBody.required({ title: true }),
  TicketSchema,
  'TicketPut',
  READ_ONLY_IGNORED,
);

export const listTickets = createRoute({
  method: 'get',
  path: '/tickets',
  tags: ['tickets'],
  summary: 'Tickets the caller can see (non-archived unless is_archived=true)',
  request: {
    query: PageQuery.extend({
      project: Id.optional(),
      status: Status.optional(),
      priority_id: z.coerce.number().int().min(1).max(4).optional(),
      company: Id.optional(),
      column: Id.optional(),
      tag: Id.optional(),
      assignee: Id.optional(),
      is_archived: QueryBool.optional(),
      waiting: QueryBool.optional().openapi({
        description:
          'true: open tickets whose latest visible message (chat, or a comment that is not an internal note) is ' +
          "from staff, with nothing from the client since: waiting for the client's answer; false: the others",
      }),
      search: searchParam,
      ordering: orderingParam([...TICKET_ORDERING, 'field_<id>']),
    }),
  },
  description:
    'Custom fields filter as `field_<id>=<value>` (an option id for a select or multi_select, `true`/`false` ' +
    'for a checkbox, a user id, a number, a date `YYYY-MM-DD`; a substring for text and URL fields) and order ' +
    'as `ordering=field_<id>` (`-field_<id>` descending).',
  responses: { 200: json(paginated(TicketSchema, 'Tickets'), 'A page of tickets'), ...StandardErrors },
});

export const createTicket = createRoute({
  method: 'post',
  path: '/tickets',
  tags: ['tickets'],
  summary: 'Create a ticket (staff except managers; company people for their own company)',
  request: { body: jsonBody(NewTicketBody) },
  responses: { 201: json(TicketSchema, 'Created'), ...errors(400, 401, 403, 404, 409) },
});

export const getTicket = createRoute({
  method: 'get',
  path: '/tickets/{id}',
  tags: ['tickets'],
  request: { params: IdParam },
  responses: {
    200: json(
      TicketSchema.extend({
        seq: z.number().int().openapi({
          description: "The project topic's seq this ticket was read at: subscribe with it as `since` to miss nothing",
        }),
      }).openapi('TicketWithSeq'),
      'The ticket',
    ),
    ...StandardErrors,
  },
});

export const patchTicket = createRoute({
  method: 'patch',
  path: '/tickets/{id}',
  tags: ['tickets'],
  summary: 'Edit a ticket; a stale `version` answers 409 and changes nothing',
  request: { params: IdParam, body: jsonBody(TicketPatch.schema) },
  responses: { 200: json(TicketSchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const putTicket = putRoute(
  patchTicket,
  TicketPut.schema,
  "Replace a ticket's editable fields (DRF `update`): `title` is required, the rest as PATCH",
);

export const deleteTicket = createRoute({
  method: 'delete',
  path: '/tickets/{id}',
  tags: ['tickets'],
  summary: 'Delete a ticket (superadmin)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});

export const MoveBody = z
  .object({
    column: Id,
    before: Id.optional(),
    after: Id.optional(),
    version: z.number().int().min(1).optional(),
  })
  .strict()
  .openapi('Move');

export const moveTicket = createRoute({
  method: 'post',
  path: '/tickets/{id}/move',
  tags: ['tickets'],
  summary: 'Move by neighbours: after = the card above, before = the card below; neither = end of column',
  request: {
    params: IdParam,
    body: jsonBody(MoveBody),
  },
  responses: { 200: json(TicketSchema, 'Moved'), ...errors(400, 401, 403, 404, 409) },
});

const ArchiveStatus = z.object({ status: z.enum(['archived', 'unarchived']), ticket: TicketSchema });

export const archiveTicket = createRoute({
  method: 'post',
  path: '/tickets/{id}/archive',
  tags: ['tickets'],
  summary: 'Archive (admins); answers {"status": "archived"} as the old API did',
  request: { params: IdParam },
  responses: { 200: json(ArchiveStatus, 'Archived'), ...StandardErrors },
});

export const closeTicket = createRoute({
  method: 'post',
  path: '/tickets/{id}/close',
  tags: ['tickets'],
  summary:
    "Close: move to the project's first done column (whoever may move it, and the client who reported it or is its contact); already closed: unchanged",
  request: { params: IdParam },
  responses: { 200: json(TicketSchema, 'Closed'), ...StandardErrors },
});

export const reopenTicket = createRoute({
  method: 'post',
  path: '/tickets/{id}/reopen',
  tags: ['tickets'],
  summary:
    "Reopen: move to the project's first column that is not done (same people as close); already open: unchanged",
  request: { params: IdParam },
  responses: { 200: json(TicketSchema, 'Reopened'), ...StandardErrors },
});

export const unarchiveTicket = createRoute({
  method: 'post',
  path: '/tickets/{id}/unarchive',
  tags: ['tickets'],
  request: { params: IdParam },
  responses: { 200: json(ArchiveStatus, 'Unarchived'), ...StandardErrors },
});
