import { createRoute, z } from '@hono/zod-openapi';
import { Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginated, paginatedWithSeq } from '../../lib/pagination.ts';
import { MAX_HISTORY } from '../../services/chat.ts';
import { MessageSchema, RoomSchema } from '../../schemas/chat.ts';

export const listRooms = createRoute({
  method: 'get',
  path: '/chat/rooms',
  tags: ['chat'],
  summary:
    "The caller's rooms, most recently active first: all of them, or one project's (`project`); or a ticket's room (`ticket`), created on first use",
  request: {
    query: PageQuery.extend({
      project: Id.optional().openapi({ description: 'List the rooms of this project you may talk in' }),
      ticket: Id.optional().openapi({ description: "This ticket's room, created if it has none yet" }),
    }),
  },
  responses: { 200: json(paginated(RoomSchema, 'ChatRooms'), 'Rooms'), ...StandardErrors },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/chat/rooms/{id}/messages',
  tags: ['chat'],
  summary:
    'History: the `limit` messages before message `before` (or the newest), oldest first; `next` pages further back',
  request: {
    params: IdParam,
    query: z.object({
      before: Id.optional().openapi({ description: 'A message id: only older messages' }),
      limit: z.coerce.number().int().min(1).max(MAX_HISTORY).default(50),
    }),
  },
  responses: { 200: json(paginatedWithSeq(MessageSchema, 'ChatMessages'), 'Messages'), ...StandardErrors },
});

export const sendMessage = createRoute({
  method: 'post',
  path: '/chat/rooms/{id}/messages',
  tags: ['chat'],
  summary: 'Send a message; a repeated `client_id` returns the first message (200) and stores nothing',
  request: {
    params: IdParam,
    body: jsonBody(
      z
        .object({
          body: z.string().trim().min(1).max(10_000),
          client_id: z.string().min(1).max(100).nullable().optional().openapi({ description: 'Idempotency key' }),
        })
        .strict()
        .openapi('NewChatMessage'),
    ),
  },
  responses: {
    201: json(MessageSchema, 'Stored'),
    200: json(MessageSchema, 'Already stored under this client_id'),
    ...StandardErrors,
  },
});
