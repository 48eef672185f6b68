import type { Executor } from '@laneway/db/client';
import { activity, events, topicSeqs } from '@laneway/db/schema';
import { sql } from 'drizzle-orm';

/** The realtime topic of a project's board. */
export const projectTopic = (projectId: number) => `project:${projectId}`;

export interface AppendedEvent {
  topic: string;
  seq: number;
  type: string;
  payload: unknown;
  at: string;
}

/**
 * Appends an event to the outbox with the next gap-free seq of its topic. Must run inside the
 * change's transaction: the `topic_seqs` row lock serialises appends to one topic until commit,
 * so seqs commit in order and a rolled-back change leaves no event and no gap.
 */
export async function appendEvent(tx: Executor, topic: string, type: string, payload: unknown): Promise<AppendedEvent> {
  const [row] = await tx
    .insert(topicSeqs)
    .values({ topic, seq: 1 })
    .onConflictDoUpdate({ target: topicSeqs.topic, set: { seq: sql`${topicSeqs.seq} + 1` } })
    .returning({ seq: topicSeqs.seq });
  const seq = row!.seq;
  const [inserted] = await tx
    .insert(events)
    .values({ topic, seq, type, payload })
    .returning({ createdAt: events.createdAt });
  return { topic, seq, type, payload, at: inserted!.createdAt.toISOString() };
}

export interface Change {
  projectId: number;
  ticketId: number | null;
  actorId: number | null;
  /** Activity verb, e.g. `ticket.moved`; also the event type. */
  verb: string;
  /** What changed, for the activity log (old and new values, ids). */
  data: Record<string, unknown>;
  /** The resource as the API shows it after the change: the event payload. */
  payload: unknown;
}

/**
 * Records one change: its activity row and its board event, in the caller's transaction.
 * Every write to a project's board goes through here, so activity and realtime never drift.
 */
export async function recordChange(tx: Executor, change: Change): Promise<AppendedEvent> {
  await tx.insert(activity).values({
    projectId: change.projectId,
    ticketId: change.ticketId,
    actorId: change.actorId,
    verb: change.verb,
    data: change.data,
  });
  return appendEvent(tx, projectTopic(change.projectId), change.verb, change.payload);
}

/** The latest seq of a topic (0 when none): the board's version, for caching and resume. */
export async function latestSeq(db: Executor, topic: string): Promise<number> {
  const [row] = await db
    .select({ seq: topicSeqs.seq })
    .from(topicSeqs)
    .where(sql`${topicSeqs.topic} = ${topic}`);
  return row?.seq ?? 0;
}
