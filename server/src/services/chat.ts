/**
 * Chat rooms (SPEC §3, §5, §6): one room per ticket, created the first time anyone asks for
 * it, plus optional project-wide rooms for the project's staff. Whoever can discuss a ticket
 * can read and write in its room. Messages are idempotent by the sender's `client_id`: a
 * resend (a retry after a dropped socket) returns the first message and stores nothing.
 *
 * A message is stored, its `chat.message` event appended to the room's topic and its
 * notifications written in one transaction; the event is published after the commit.
 */
import type { Db, Executor } from '@laneway/db/client';
import { chatMessages, chatRooms, tickets } from '@laneway/db/schema';
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { authorize, canDiscussTicket, canSeeProject, isStaff } from '../policy/index.ts';
import { loadProjectAccess, visibleTicketsSql } from '../policy/load.ts';
import { recordEvent, roomTopic, topicSeq } from './changes.ts';
import { notifyDiscussion } from './notifications.ts';
import { enqueue } from './jobs.ts';
import { transact } from './publish.ts';
import { markFirstResponse } from './sla.ts';
import { TASKS } from '@laneway/db/tasks';
import { factsOf, requireTicket, serializeTicket, type TicketRecord } from './tickets.ts';

type RoomRow = typeof chatRooms.$inferSelect;
type MessageRow = typeof chatMessages.$inferSelect;

export function serializeRoom(
  r: RoomRow,
  lastMessageAt: Date | string | null = null,
  ticketTitle: string | null = null,
) {
  return {
    id: r.id,
    project: r.projectId,
    ticket: r.ticketId,
    name: r.name,
    ticket_title: ticketTitle,
    created_at: r.createdAt.toISOString(),
    last_message_at: lastMessageAt === null ? null : new Date(lastMessageAt).toISOString(),
  };
}
export type RoomJson = ReturnType<typeof serializeRoom>;

export function serializeMessage(m: MessageRow) {
  return {
    id: m.id,
    room: m.roomId,
    author: m.authorId,
    contact: m.contactId,
    via: m.via,
    body: m.body,
    client_id: m.clientId,
    created_at: m.createdAt.toISOString(),
  };
}
export type MessageJson = ReturnType<typeof serializeMessage>;

/** A room the actor may talk in, with its ticket for ticket rooms; 404 otherwise. */
export async function requireRoom(
  db: Executor,
  actor: Actor,
  roomId: number,
): Promise<{ room: RoomRow; ticket: TicketRecord | null; staff: boolean }> {
  const [room] = await db.select().from(chatRooms).where(eq(chatRooms.id, roomId));
  if (!room) throw notFound();
  if (room.ticketId !== null) {
    const { ticket, access } = await requireTicket(db, actor, room.ticketId);
    authorize(canDiscussTicket(access, factsOf(ticket)), true);
    return { room, ticket, staff: isStaff(access) };
  }
  // Project-wide rooms are for the project's staff.
  const access = await loadProjectAccess(db, actor, room.projectId);
  authorize(access !== null && isStaff(access), true);
  return { room, ticket: null, staff: true };
}

/**
 * Queues the mail of a staff message to the ticket's contact (SPEC §13), in the message's
 * transaction: when the ticket has a contact with an address and its project an active
 * mailbox to send as. Comments never come here: they are internal notes.
 */
async function mailToContact(tx: Executor, ticket: TicketRecord, messageId: number): Promise<void> {
  if (ticket.contactId === null) return;
  const [row] = await tx.execute<{ ok: boolean }>(sql`
    select exists (select 1 from contacts c where c.id = ${ticket.contactId} and c.email like '%@%')
       and exists (select 1 from mailboxes b where b.project_id = ${ticket.projectId} and b.is_active) as ok`);
  if (row?.ok) await enqueue(tx, TASKS.mailChatMessage, { message: messageId }, { maxAttempts: 10 });
}

/** The ticket's room, created on first use (two first uses at once end with one room). */
export async function ticketRoom(db: Executor, actor: Actor, ticketId: number): Promise<RoomJson> {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  authorize(true, canDiscussTicket(access, factsOf(ticket)));
  await db
    .insert(chatRooms)
    .values({ projectId: ticket.projectId, ticketId: ticket.id, name: `${ticket.projectKey}-${ticket.number}` })
    .onConflictDoNothing({ target: chatRooms.ticketId });
  const [row] = await db
    .select({ room: chatRooms, last: lastMessageAt })
    .from(chatRooms)
    .where(eq(chatRooms.ticketId, ticket.id));
  return serializeRoom(row!.room, row!.last, ticket.title);
}

// Spelled out: drizzle renders `${chatRooms.id}` unqualified, which inside this subquery is m.id.
const lastMessageAt = sql<string | null>`(select m.created_at from chat_messages m
  where m.room_id = "chat_rooms"."id" order by m.id desc limit 1)`;
const ticketTitle = sql<string | null>`(select t.title from tickets t where t.id = "chat_rooms"."ticket_id")`;

/**
 * The rooms the actor may talk in, most recently active first: of one project, or (`projectId`
 * null) of every project. The rooms of tickets they can see (company people: their companies'
 * tickets), and project rooms for the project's staff.
 */
export async function listRooms(db: Executor, actor: Actor, projectId: number | null, page: PageParams) {
  let visible: SQL;
  if (projectId !== null) {
    const access = await loadProjectAccess(db, actor, projectId);
    if (!canSeeProject(access)) throw notFound();
    visible = isStaff(access)
      ? eq(chatRooms.projectId, projectId)
      : sql`${chatRooms.projectId} = ${projectId} and ${chatRooms.ticketId} in (select ${tickets.id} from ${tickets}
          where ${tickets.projectId} = ${projectId} and ${visibleTicketsSql(actor)})`;
  } else {
    visible = actor.isSuperuser
      ? sql`true`
      : sql`(${chatRooms.ticketId} in (select ${tickets.id} from ${tickets} where ${visibleTicketsSql(actor)})
          or (${chatRooms.ticketId} is null
            and ${chatRooms.projectId} in (select project_id from user_roles where user_id = ${actor.id})))`;
  }
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({
      room: chatRooms,
      last: lastMessageAt,
      title: ticketTitle,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(chatRooms)
    .where(visible)
    .orderBy(sql`${lastMessageAt} desc nulls last`, desc(chatRooms.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeRoom(r.room, r.last, r.title)) };
}

export const MAX_HISTORY = 200;

/**
 * A page of history: the `limit` messages before message `before` (or the newest), returned
 * oldest first so a page reads top to bottom; `older` is the `before` of the next page back.
 */
export async function listMessages(
  db: Executor,
  actor: Actor,
  roomId: number,
  query: { before?: number | undefined; limit: number },
): Promise<{ count: number; older: number | null; seq: number; results: MessageJson[] }> {
  await requireRoom(db, actor, roomId);
  // Read before the history: subscribing from it then misses nothing (SPEC §6).
  const seq = await topicSeq(db, roomTopic(roomId));
  const rows = await db
    .select({ message: chatMessages, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(chatMessages)
    .where(and(eq(chatMessages.roomId, roomId), query.before ? lt(chatMessages.id, query.before) : undefined))
    .orderBy(desc(chatMessages.id))
    .limit(query.limit);
  const count = rows[0]?.total ?? 0;
  const results = rows.map((r) => serializeMessage(r.message)).reverse();
  return { count, older: count > rows.length ? results[0]!.id : null, seq, results };
}

/**
 * Stores a message, or returns the one this author already sent with this `client_id`
 * (`created: false`). A concurrent resend waits on the unique index and then finds the first.
 */
export async function sendMessage(
  db: Db,
  actor: Actor,
  roomId: number,
  input: { body: string; client_id?: string | null | undefined },
): Promise<{ message: MessageJson; created: boolean }> {
  const { room, ticket, staff } = await requireRoom(db, actor, roomId);
  const clientId = input.client_id ?? null;
  if (clientId !== null) {
    const first = await findSent(db, actor, room.id, clientId);
    if (first) return { message: first, created: false };
  }
  return transact(db, async (tx) => {
    const [row] = await tx
      .insert(chatMessages)
      .values({ roomId: room.id, authorId: actor.id, body: input.body, clientId })
      .onConflictDoNothing()
      .returning();
    if (!row) return { message: (await findSent(tx, actor, room.id, clientId!))!, created: false };
    const message = serializeMessage(row);
    await recordEvent(tx, roomTopic(room.id), 'chat.message', message);
    if (ticket) {
      await notifyDiscussion(tx, actor, serializeTicket(ticket), {
        kind: 'chat',
        body: message.body,
        ref: { room: room.id, message: message.id },
      });
      if (staff) {
        // The first staff word, in the app or mailed to the contact, answers the client (SLA §14).
        await markFirstResponse(tx, ticket.id);
        await mailToContact(tx, ticket, message.id);
      }
    }
    return { message, created: true };
  });
}

async function findSent(db: Executor, actor: Actor, roomId: number, clientId: string): Promise<MessageJson | null> {
  const [row] = await db
    .select()
    .from(chatMessages)
    .where(
      and(eq(chatMessages.roomId, roomId), eq(chatMessages.authorId, actor.id), eq(chatMessages.clientId, clientId)),
    );
  return row ? serializeMessage(row) : null;
}
