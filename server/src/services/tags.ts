/**
 * A project's tags. Anyone who can see the project reads them; only those who manage it
 * change them (`requireProjectManager`: 404 for whoever cannot see the project, 403 for the rest).
 */
import { transact } from './publish.ts';
import type { Db, Executor } from '@laneway/db/client';
import { tags } from '@laneway/db/schema';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { conflict, notFound } from '../lib/errors.ts';
import { pageOfArray, type PageParams } from '../lib/pagination.ts';
import { recordChange } from './changes.ts';
import { requireManageable, requireProjectAccess, requireProjectManager } from './projects.ts';

export type TagRow = typeof tags.$inferSelect;

export function serializeTag(t: TagRow) {
  return { id: t.id, project: t.projectId, name: t.name, colour: t.colour };
}
export type TagJson = ReturnType<typeof serializeTag>;

/** A page of a project's tags by name, for anyone who can see the project. */
export async function listTags(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  await requireProjectAccess(db, actor, projectId);
  const rows = await db
    .select()
    .from(tags)
    .where(eq(tags.projectId, projectId))
    .orderBy(asc(sql`lower(${tags.name})`));
  return pageOfArray(rows.map(serializeTag), page);
}

async function loadTag(db: Executor, id: number): Promise<TagRow> {
  const [row] = await db.select().from(tags).where(eq(tags.id, id));
  if (!row) throw notFound();
  return row;
}

async function assertNameFree(db: Executor, projectId: number, name: string, exceptId?: number) {
  const [row] = await db
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.projectId, projectId), sql`lower(${tags.name}) = lower(${name})`));
  if (row && row.id !== exceptId) throw conflict('A tag with this name already exists', { name: ['Taken'] });
}

/** Adds a tag to a project the actor manages; a name taken in any case is a 409. */
export async function createTag(
  db: Db,
  actor: Actor,
  input: { project: number; name: string; colour?: string | undefined },
): Promise<TagJson> {
  const { projectId } = await requireProjectManager(db, actor, input.project);
  return transact(db, async (tx) => {
    await assertNameFree(tx, projectId, input.name);
    const [row] = await tx
      .insert(tags)
      .values({ projectId, name: input.name, ...(input.colour ? { colour: input.colour } : {}) })
      .returning();
    const json = serializeTag(row!);
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'tag.created',
      data: { tag: json.id },
      payload: json,
    });
    return json;
  });
}

/** A tag as its list shows it, to a caller who may change it (else 404/403, as a write). */
export async function getManageableTag(db: Executor, actor: Actor, id: number): Promise<TagJson> {
  return serializeTag(await requireManageable(db, actor, loadTag, id));
}

/** Renames or recolours a tag of a project the actor manages. */
export async function updateTag(
  db: Db,
  actor: Actor,
  id: number,
  patch: { name?: string | undefined; colour?: string | undefined },
): Promise<TagJson> {
  const tag = await requireManageable(db, actor, loadTag, id);
  return transact(db, async (tx) => {
    if (patch.name !== undefined) await assertNameFree(tx, tag.projectId, patch.name, tag.id);
    const values: Partial<typeof tags.$inferInsert> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.colour !== undefined) values.colour = patch.colour;
    const [row] = Object.keys(values).length
      ? await tx.update(tags).set(values).where(eq(tags.id, tag.id)).returning()
      : [tag];
    const json = serializeTag(row!);
    await recordChange(tx, {
      projectId: tag.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'tag.updated',
      data: { tag: tag.id },
      payload: json,
    });
    return json;
  });
}

/** Deletes a tag of a project the actor manages. */
export async function deleteTag(db: Db, actor: Actor, id: number): Promise<void> {
  const tag = await requireManageable(db, actor, loadTag, id);
  await transact(db, async (tx) => {
    await tx.delete(tags).where(eq(tags.id, tag.id));
    await recordChange(tx, {
      projectId: tag.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'tag.deleted',
      data: { tag: tag.id, name: tag.name },
      payload: { id: tag.id },
    });
  });
}
