/**
 * A ticket's checklist (SPEC §14): whoever sees the ticket reads it, whoever may edit the ticket
 * changes it. Items are ordered by fractional keys like cards (ordering.ts). A change does not
 * bump the ticket's version (it is not an edit of the ticket's fields, and must not turn a
 * colleague's concurrent title edit into a 409); its event carries the ticket's new
 * `{done, total}` so every board and drawer shows the progress at once.
 */
import type { Db, Executor, Tx } from '@laneway/db/client';
import { checklistItems } from '@laneway/db/schema';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, notFound } from '../lib/errors.ts';
import { pageOfArray, type PageParams } from '../lib/pagination.ts';
import { authorize, canEditTicket } from '../policy/index.ts';
import type { Changed } from '../realtime/events.ts';
import type { ChecklistChange, ChecklistItem } from '../schemas/checklists.ts';
import { recordChange } from './changes.ts';
import { keyBetween } from './ordering.ts';
import { transact } from './publish.ts';
import { factsOf, requireTicket, type TicketRecord } from './tickets.ts';

type ItemRow = typeof checklistItems.$inferSelect;

function serializeItem(row: ItemRow): ChecklistItem {
  return {
    id: row.id,
    ticket: row.ticketId,
    text: row.text,
    done: row.done,
    position: row.position,
    created_at: row.createdAt.toISOString(),
  };
}

/** A ticket's checklist in order, for whoever may see the ticket. */
export async function listChecklist(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  await requireTicket(db, actor, ticketId);
  const rows = await db
    .select()
    .from(checklistItems)
    .where(eq(checklistItems.ticketId, ticketId))
    .orderBy(asc(checklistItems.position));
  return pageOfArray(rows.map(serializeItem), page);
}

/** The ticket, if the actor may change its checklist (404 unseen, 403 seen but not editable). */
async function requireEditable(db: Executor, actor: Actor, ticketId: number): Promise<TicketRecord> {
  const { ticket, access } = await requireTicket(db, actor, ticketId);
  authorize(true, canEditTicket(access, factsOf(ticket)), 'You may not edit this ticket');
  return ticket;
}

async function loadItem(db: Executor, id: number): Promise<ItemRow> {
  const [row] = await db.select().from(checklistItems).where(eq(checklistItems.id, id));
  if (!row) throw notFound();
  return row;
}

/** The key for an item placed right after `after` (an item of the same ticket), or at the end. */
async function placeAfter(tx: Tx, ticketId: number, after: number | undefined, self?: number): Promise<string> {
  let lower: string | null;
  if (after !== undefined) {
    const [row] = await tx
      .select({ id: checklistItems.id, position: checklistItems.position })
      .from(checklistItems)
      .where(and(eq(checklistItems.id, after), eq(checklistItems.ticketId, ticketId)));
    if (!row || row.id === self) throw badRequest('Unknown item', { after: ['Not another item of this checklist'] });
    lower = row.position;
  } else {
    const [last] = await tx
      .select({ position: checklistItems.position })
      .from(checklistItems)
      .where(eq(checklistItems.ticketId, ticketId))
      .orderBy(desc(checklistItems.position))
      .limit(1);
    lower = last?.position ?? null;
  }
  const [next] = lower
    ? await tx
        .select({ position: checklistItems.position })
        .from(checklistItems)
        .where(and(eq(checklistItems.ticketId, ticketId), gt(checklistItems.position, lower)))
        .orderBy(asc(checklistItems.position))
        .limit(1)
    : [];
  return keyBetween({ lower, upper: after !== undefined ? (next?.position ?? null) : null });
}

/** The event payload: the item, the ticket's progress now, and its company for the hub. */
async function change(tx: Tx, ticket: TicketRecord, item: ChecklistItem): Promise<ChecklistChange> {
  const [progress] = await tx
    .select({
      done: sql<number>`count(*) filter (where ${checklistItems.done})`.mapWith(Number),
      total: sql<number>`count(*)`.mapWith(Number),
    })
    .from(checklistItems)
    .where(eq(checklistItems.ticketId, ticket.id));
  return { ...item, company: ticket.companyId, checklist: progress ?? { done: 0, total: 0 } };
}

/** Serialises checklist writes per ticket, so two new items never pick the same key. */
const lockTicket = (tx: Tx, ticketId: number) =>
  tx.execute(sql`select id from tickets where id = ${ticketId} for update`);

/** Adds an item (at the end, or right after `after`). */
export async function addItem(
  db: Db,
  actor: Actor,
  ticketId: number,
  input: { text: string; done?: boolean | undefined; after?: number | undefined },
): Promise<ChecklistItem> {
  const ticket = await requireEditable(db, actor, ticketId);
  return transact(db, async (tx) => {
    await lockTicket(tx, ticketId);
    const [row] = await tx
      .insert(checklistItems)
      .values({
        ticketId,
        text: input.text,
        done: input.done ?? false,
        position: await placeAfter(tx, ticketId, input.after),
      })
      .returning();
    const item = serializeItem(row!);
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId,
      actorId: actor.id,
      verb: 'checklist.item_created',
      data: { item: item.id, text: item.text },
      payload: await change(tx, ticket, item),
    });
    return item;
  });
}

/** Edits an item's text or done, or moves it after another item (`after: null`: to the top). */
export async function updateItem(
  db: Db,
  actor: Actor,
  id: number,
  patch: { text?: string | undefined; done?: boolean | undefined; after?: number | null | undefined },
): Promise<ChecklistItem> {
  const existing = await loadItem(db, id);
  const ticket = await requireEditable(db, actor, existing.ticketId);
  return transact(db, async (tx) => {
    await lockTicket(tx, ticket.id);
    const values: Partial<typeof checklistItems.$inferInsert> = {};
    const changed: Changed = {};
    if (patch.text !== undefined && patch.text !== existing.text) {
      values.text = patch.text;
      changed.text = [existing.text, patch.text];
    }
    if (patch.done !== undefined && patch.done !== existing.done) {
      values.done = patch.done;
      changed.done = [existing.done, patch.done];
    }
    if (patch.after !== undefined) {
      if (patch.after === null) {
        const [first] = await tx
          .select({ position: checklistItems.position })
          .from(checklistItems)
          .where(eq(checklistItems.ticketId, ticket.id))
          .orderBy(asc(checklistItems.position))
          .limit(1);
        values.position =
          first?.position === existing.position
            ? existing.position
            : keyBetween({ lower: null, upper: first?.position ?? null });
      } else {
        values.position = await placeAfter(tx, ticket.id, patch.after, id);
      }
      if (values.position !== existing.position) changed.position = [existing.position, values.position];
    }
    if (!Object.keys(changed).length) return serializeItem(existing);
    const [row] = await tx.update(checklistItems).set(values).where(eq(checklistItems.id, id)).returning();
    const item = serializeItem(row!);
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'checklist.item_updated',
      data: { item: id, changed },
      payload: await change(tx, ticket, item),
    });
    return item;
  });
}

/** Removes an item. */
export async function deleteItem(db: Db, actor: Actor, id: number): Promise<void> {
  const existing = await loadItem(db, id);
  const ticket = await requireEditable(db, actor, existing.ticketId);
  await transact(db, async (tx) => {
    await tx.delete(checklistItems).where(eq(checklistItems.id, id));
    await recordChange(tx, {
      projectId: ticket.projectId,
      ticketId: ticket.id,
      actorId: actor.id,
      verb: 'checklist.item_deleted',
      data: { item: id, text: existing.text },
      payload: await change(tx, ticket, serializeItem(existing)),
    });
  });
}
