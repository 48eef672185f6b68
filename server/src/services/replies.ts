/**
 * Canned responses per project (SPEC §13): staff list them to insert into chat and comments;
 * superadmins and admins write them. Others who see the project get a 403, the rest a 404.
 */
import type { Db, Executor } from '@laneway/db/client';
import { cannedReplies } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { authorize, canManageReplies, canUseReplies } from '../policy/index.ts';
import { requireProjectAccess } from './projects.ts';

type ReplyRow = typeof cannedReplies.$inferSelect;

export function serializeReply(r: ReplyRow) {
  return {
    id: r.id,
    project: r.projectId,
    name: r.name,
    body: r.body,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

/** A reply the actor may change, or the policy's 404 / 403. */
async function requireManageable(db: Executor, actor: Actor, id: number): Promise<ReplyRow> {
  const [row] = await db.select().from(cannedReplies).where(eq(cannedReplies.id, id));
  if (!row) throw notFound();
  const access = await requireProjectAccess(db, actor, row.projectId);
  authorize(true, canManageReplies(access), 'Only project superadmins and admins write canned responses');
  return row;
}

export async function listReplies(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  const access = await requireProjectAccess(db, actor, projectId);
  authorize(true, canUseReplies(access), 'Canned responses are for the project staff');
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: cannedReplies, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(cannedReplies)
    .where(eq(cannedReplies.projectId, access.projectId))
    .orderBy(sql`lower(${cannedReplies.name})`, cannedReplies.id)
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeReply(r.row)) };
}

export async function createReply(db: Db, actor: Actor, projectId: number, input: { name: string; body: string }) {
  const access = await requireProjectAccess(db, actor, projectId);
  authorize(true, canManageReplies(access), 'Only project superadmins and admins write canned responses');
  const [row] = await db
    .insert(cannedReplies)
    .values({ projectId: access.projectId, name: input.name, body: input.body })
    .returning();
  return serializeReply(row!);
}

export async function updateReply(
  db: Db,
  actor: Actor,
  id: number,
  patch: { name?: string | undefined; body?: string | undefined },
) {
  await requireManageable(db, actor, id);
  const values: Partial<typeof cannedReplies.$inferInsert> = { updatedAt: new Date() };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.body !== undefined) values.body = patch.body;
  const [row] = await db.update(cannedReplies).set(values).where(eq(cannedReplies.id, id)).returning();
  if (!row) throw notFound();
  return serializeReply(row);
}

export async function deleteReply(db: Db, actor: Actor, id: number): Promise<void> {
  await requireManageable(db, actor, id);
  await db.delete(cannedReplies).where(eq(cannedReplies.id, id));
}
