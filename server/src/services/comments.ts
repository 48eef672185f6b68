/**
 * Ticket comments: threaded (one `parent` per reply, any depth, always within one ticket),
 * Markdown bodies stored as written, soft-deleted. Every write is one transaction that changes
 * the row and records the change (activity row + board event).
 *
 * Deleted comments stay in the table (`deleted_at`) and are listed as tombstones (`body: ''`,
 * `deleted: true`) while a live reply hangs below them, so a thread keeps its shape; a deleted
 * comment with no live reply anywhere below it is left out of the list.
 *
 * Internal notes (`internal: true`, SPEC §4, decision 0037) are for staff: company people never
 * read one (lists, single reads, edits and deletes answer as if it did not exist), never write
 * one (403), and a reply to one is internal too whatever the request said. Their activity rows
 * say `internal: true` so the activity list can leave them out for company people, their
 * events carry `internal: true` so the hub sends them to staff only, and only staff are
 * notified of them.
 */
import { transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { comments } from '@laneway/db/schema';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import {
  authorize,
  canDiscussTicket,
  canEditOwn,
  canModerate,
  canWriteInternal,
  isStaff,
  type ProjectAccess,
} from '../policy/index.ts';
import { recordChange } from './changes.ts';
import { notifyDiscussion } from './notifications.ts';
import { factsOf, requireTicket, serializeTicket } from './tickets.ts';

export type CommentRow = typeof comments.$inferSelect;

/** A comment as the API shows it; a deleted one keeps its place but not its words. */
export function serializeComment(c: CommentRow) {
  const deleted = c.deletedAt !== null;
  return {
    id: c.id,
    ticket: c.ticketId,
    author: c.authorId,
    parent: c.parentId,
    body: deleted ? '' : c.body,
    internal: c.internal,
    created_at: c.createdAt.toISOString(),
    edited_at: c.editedAt?.toISOString() ?? null,
    deleted,
  };
}
export type CommentJson = ReturnType<typeof serializeComment>;

/** What a comment's event carries: the comment and its ticket's company (the hub's audience filter). */
function eventOf(json: CommentJson, companyId: number | null) {
  return { ...json, company: companyId };
}

/** Only staff read internal notes (SPEC §4); for everyone else they do not exist. */
const readableBy = (access: ProjectAccess) => (isStaff(access) ? undefined : eq(comments.internal, false));

/**
 * Live comments, and deleted ones with a live reply somewhere below them (a reply the reader
 * may read: an internal reply does not keep a public tombstone in a company person's list).
 * The walk stays within the ticket so it runs on `comments_ticket_idx` (there is no index on
 * parent_id).
 */
const shownInThread = (staff: boolean) => sql`(${comments.deletedAt} is null or exists (
  with recursive below(id, deleted_at, internal) as (
    select r.id, r.deleted_at, r.internal from comments r
      where r.ticket_id = ${comments.ticketId} and r.parent_id = ${comments.id}
    union all
    select r.id, r.deleted_at, r.internal from comments r join below on r.parent_id = below.id
      where r.ticket_id = ${comments.ticketId})
  select 1 from below where below.deleted_at is null and (${staff} or not below.internal)))`;

/** A ticket's comments, oldest first, for anyone who can see the ticket (internal notes for staff only). */
export async function listComments(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ comment: comments, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(comments)
    .where(and(eq(comments.ticketId, ticket.id), readableBy(access), shownInThread(isStaff(access))))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeComment(r.comment)) };
}

/** A live comment by id (deleted ones are gone as far as changes go), or a 404. */
async function liveComment(db: Executor, id: number): Promise<CommentRow> {
  const [row] = await db
    .select()
    .from(comments)
    .where(and(eq(comments.id, id), isNull(comments.deletedAt)));
  if (!row) throw notFound();
  return row;
}

export async function createComment(
  db: Db,
  actor: Actor,
  ticketId: number,
  input: { body: string; parent?: number | null | undefined; internal?: boolean | undefined },
): Promise<CommentJson> {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  authorize(true, canDiscussTicket(access, factsOf(ticket)));
  if (input.internal) authorize(true, canWriteInternal(access), 'Only staff may write internal notes');
  return transact(db, async (tx) => {
    const parentId = input.parent ?? null;
    let internal = input.internal ?? false;
    if (parentId !== null) {
      // FOR SHARE holds the parent against a concurrent delete (an update) until this reply commits.
      const [parent] = await tx
        .select({ id: comments.id, internal: comments.internal })
        .from(comments)
        .where(
          and(
            eq(comments.id, parentId),
            eq(comments.ticketId, ticket.id),
            isNull(comments.deletedAt),
            readableBy(access),
          ),
        )
        .for('share');
      if (!parent) throw badRequest('Unknown parent', { parent: [`No comment ${parentId} on this ticket`] });
      // A reply to an internal note is internal: the thread below a note stays among staff.
      internal ||= parent.internal;
    }
    const [row] = await tx
      .insert(comments)
      .values({ ticketId: ticket.id, authorId: actor.id, parentId, body: input.body, internal })
      .returning();
    const json = serializeComment(row!);
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'comment.created',
      data: { comment: json.id, parent: json.parent, ...(internal ? { internal: true as const } : {}) },
      payload: eventOf(json, ticket.companyId),
    });
    await notifyDiscussion(tx, actor, serializeTicket(ticket), {
      kind: 'commented',
      body: json.body,
      ref: { comment: json.id },
      staffOnly: internal,
    });
    return json;
  });
}

/** Authors edit their own comments; the edit is stamped with `edited_at`. */
export async function updateComment(db: Db, actor: Actor, id: number, input: { body: string }): Promise<CommentJson> {
  const comment = await liveComment(db, id);
  const { ticket, access } = await requireTicket(db, actor, comment.ticketId);
  authorize(!comment.internal || isStaff(access), true);
  authorize(true, canEditOwn(access, comment.authorId), 'Only the author may edit a comment');
  return transact(db, async (tx) => {
    const [row] = await tx
      .update(comments)
      .set({ body: input.body, editedAt: sql`now()` })
      .where(and(eq(comments.id, id), isNull(comments.deletedAt)))
      .returning();
    if (!row) throw notFound();
    const json = serializeComment(row);
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'comment.updated',
      data: { comment: id, ...(row.internal ? { internal: true as const } : {}) },
      payload: eventOf(json, ticket.companyId),
    });
    return json;
  });
}

/**
 * Soft-deletes a comment (author, or a project superadmin/admin moderating). The body stays in
 * the table for the audit trail but is never shown again; deleting twice is a 404.
 */
export async function deleteComment(db: Db, actor: Actor, id: number): Promise<void> {
  const comment = await liveComment(db, id);
  const { ticket, access } = await requireTicket(db, actor, comment.ticketId);
  authorize(!comment.internal || isStaff(access), true);
  authorize(true, canModerate(access, comment.authorId), 'Only the author or an admin may delete a comment');
  await transact(db, async (tx) => {
    const [row] = await tx
      .update(comments)
      .set({ deletedAt: sql`now()` })
      .where(and(eq(comments.id, id), isNull(comments.deletedAt)))
      .returning();
    if (!row) throw notFound();
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'comment.deleted',
      data: { comment: id, author: comment.authorId, ...(row.internal ? { internal: true as const } : {}) },
      payload: eventOf(serializeComment(row), ticket.companyId),
    });
  });
}
