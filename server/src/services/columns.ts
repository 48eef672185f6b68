/**
 * A project's board columns. Anyone who can see the project reads them; only those who manage it
 * change them (`requireProjectManager`: 404 for whoever cannot see the project, 403 for the rest).
 */
import { transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { columns, tickets } from '@laneway/db/schema';
import { and, asc, desc, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, conflict, notFound } from '../lib/errors.ts';
import { pageOfArray, type PageParams } from '../lib/pagination.ts';
import { recordChange } from './changes.ts';
import { keyBetween } from './ordering.ts';
import { requireManageable, requireProjectAccess, requireProjectManager } from './projects.ts';
import { moveColumnTickets } from './ticket-moves.ts';

export type ColumnRow = typeof columns.$inferSelect;
export type ColumnCategory = ColumnRow['category'];

export function serializeColumn(c: ColumnRow) {
  return {
    id: c.id,
    project: c.projectId,
    name: c.name,
    category: c.category,
    wip_limit: c.wipLimit,
    position: c.position,
  };
}
export type ColumnJson = ReturnType<typeof serializeColumn>;

/** A project's columns in board order (no permission check: the board has made it). */
export async function loadColumns(db: Executor, projectId: number): Promise<ColumnRow[]> {
  return db.select().from(columns).where(eq(columns.projectId, projectId)).orderBy(asc(columns.position));
}

/** A page of a project's columns in board order, for anyone who can see the project. */
export async function listColumns(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  await requireProjectAccess(db, actor, projectId);
  return pageOfArray((await loadColumns(db, projectId)).map(serializeColumn), page);
}

async function loadColumn(db: Executor, id: number): Promise<ColumnRow> {
  const [row] = await db.select().from(columns).where(eq(columns.id, id));
  if (!row) throw notFound();
  return row;
}

export interface NewColumn {
  project: number;
  name: string;
  category?: ColumnCategory | undefined;
  wip_limit?: number | null | undefined;
}

/** Adds a column at the right end of the board of a project the actor manages. */
export async function createColumn(db: Db, actor: Actor, input: NewColumn): Promise<ColumnJson> {
  const { projectId } = await requireProjectManager(db, actor, input.project);
  return transact(db, async (tx) => {
    // Serialise column creation per project so two new columns never pick the same key.
    await tx.execute(sql`select id from projects where id = ${projectId} for update`);
    const [last] = await tx
      .select({ position: columns.position })
      .from(columns)
      .where(eq(columns.projectId, projectId))
      .orderBy(desc(columns.position))
      .limit(1);
    const [row] = await tx
      .insert(columns)
      .values({
        projectId,
        name: input.name,
        category: input.category ?? 'todo',
        wipLimit: input.wip_limit ?? null,
        position: keyBetween({ lower: last?.position ?? null, upper: null }),
      })
      .returning();
    const json = serializeColumn(row!);
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'column.created',
      data: { column: json.id },
      payload: json,
    });
    return json;
  });
}

export interface ColumnPatch {
  name?: string | undefined;
  category?: ColumnCategory | undefined;
  wip_limit?: number | null | undefined;
}

/** A column as its list shows it, to a caller who may change it (else 404/403, as a write). */
export async function getManageableColumn(db: Executor, actor: Actor, id: number): Promise<ColumnJson> {
  return serializeColumn(await requireManageable(db, actor, loadColumn, id));
}

/**
 * Renames or re-categorises a column. A new category is carried to its tickets' `status`, and
 * `done_at` follows: set when the column becomes done, cleared when it stops being done.
 */
export async function updateColumn(db: Db, actor: Actor, id: number, patch: ColumnPatch): Promise<ColumnJson> {
  const column = await requireManageable(db, actor, loadColumn, id);
  return transact(db, async (tx) => {
    const values: Partial<typeof columns.$inferInsert> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.category !== undefined) values.category = patch.category;
    if (patch.wip_limit !== undefined) values.wipLimit = patch.wip_limit;
    const [row] = Object.keys(values).length
      ? await tx.update(columns).set(values).where(eq(columns.id, column.id)).returning()
      : [column];
    if (patch.category !== undefined && patch.category !== column.category) {
      await tx
        .update(tickets)
        .set({
          status: patch.category,
          doneAt: patch.category === 'done' ? sql`coalesce(${tickets.doneAt}, now())` : null,
          version: sql`${tickets.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(eq(tickets.columnId, column.id));
    }
    const json = serializeColumn(row!);
    await recordChange(tx, {
      projectId: column.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'column.updated',
      data: { column: column.id, fields: Object.keys(values) },
      payload: json,
    });
    return json;
  });
}

/**
 * Deletes a column. Its tickets (archived ones too) must go first: with `moveTo`, another column
 * of the project, they move to its end in one transaction with the delete; without, a column
 * that holds tickets is a 409.
 */
export async function deleteColumn(db: Db, actor: Actor, id: number, moveTo?: number): Promise<void> {
  const column = await requireManageable(db, actor, loadColumn, id);
  await transact(db, async (tx) => {
    if (moveTo !== undefined) {
      const [target] = await tx
        .select()
        .from(columns)
        .where(and(eq(columns.id, moveTo), eq(columns.projectId, column.projectId)));
      if (!target || target.id === column.id) {
        throw badRequest('Unknown column', { move_to: ['Another column of the same project'] });
      }
      await moveColumnTickets(tx, actor, column, target);
    }
    const [used] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(eq(tickets.columnId, column.id));
    if (used && used.n > 0) {
      throw conflict('Move or delete the tickets in this column first (or name a column to move them to)', {
        tickets: used.n,
      });
    }
    const [remaining] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(columns)
      .where(eq(columns.projectId, column.projectId));
    if ((remaining?.n ?? 0) <= 1) throw conflict('A project needs at least one column');
    await tx.delete(columns).where(eq(columns.id, column.id));
    await recordChange(tx, {
      projectId: column.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'column.deleted',
      data: { column: column.id, name: column.name, moved_to: moveTo ?? null },
      payload: { id: column.id },
    });
  });
}

/** Reorders a column among its project's columns, by its neighbours (see ordering.ts). */
export async function moveColumn(
  db: Db,
  actor: Actor,
  id: number,
  target: { before?: number | undefined; after?: number | undefined },
): Promise<ColumnJson> {
  const column = await requireManageable(db, actor, loadColumn, id);
  return transact(db, async (tx) => {
    await tx.execute(sql`select id from projects where id = ${column.projectId} for update`);
    const neighbour = async (id: number, field: 'before' | 'after') => {
      const [row] = await tx
        .select()
        .from(columns)
        .where(and(eq(columns.id, id), eq(columns.projectId, column.projectId)));
      if (!row || row.id === column.id) {
        throw badRequest('Invalid neighbour column', { [field]: ['Not another column of this project'] });
      }
      return row;
    };
    const others = and(eq(columns.projectId, column.projectId), ne(columns.id, column.id));
    let lower: string | null;
    let upper: string | null;
    if (target.after !== undefined) {
      lower = (await neighbour(target.after, 'after')).position;
      const [next] = await tx
        .select({ position: columns.position })
        .from(columns)
        .where(and(others, gt(columns.position, lower)))
        .orderBy(asc(columns.position))
        .limit(1);
      upper = next?.position ?? null;
    } else if (target.before !== undefined) {
      upper = (await neighbour(target.before, 'before')).position;
      const [prev] = await tx
        .select({ position: columns.position })
        .from(columns)
        .where(and(others, lt(columns.position, upper)))
        .orderBy(desc(columns.position))
        .limit(1);
      lower = prev?.position ?? null;
    } else {
      const [last] = await tx
        .select({ position: columns.position })
        .from(columns)
        .where(others)
        .orderBy(desc(columns.position))
        .limit(1);
      lower = last?.position ?? null;
      upper = null;
    }
    const [row] = await tx
      .update(columns)
      .set({ position: keyBetween({ lower, upper }) })
      .where(eq(columns.id, column.id))
      .returning();
    const json = serializeColumn(row!);
    await recordChange(tx, {
      projectId: column.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'column.moved',
      data: { column: column.id },
      payload: json,
    });
    return json;
  });
}
