import type { Executor } from '@laneway/db/client';
import { sql, type SQL } from 'drizzle-orm';
import { isoTime } from '../lib/time.ts';
import type { EventMessage } from '../realtime/protocol.ts';
import { emit } from './publish.ts';

/** The realtime topic of a project's board. */
export const projectTopic = (projectId: number) => `project:${projectId}`;
/** The realtime topic of a chat room. */
export const roomTopic = (roomId: number) => `room:${roomId}`;
/** The realtime topic of a user's own notifications. */
export const userTopic = (userId: number) => `user:${userId}`;

export type AppendedEvent = EventMessage;

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
 * Every write to a project's board goes through here (or `commitChange`), so activity and
 * realtime never drift. The event takes the next seq of its topic; the `topic_seqs` row lock
 * serialises appends to one topic until commit, so seqs commit in order and a rolled-back
 * change leaves no event and no gap.
 */
export async function recordChange(tx: Executor, change: Change): Promise<AppendedEvent> {
  const event = (await appendChange(tx, sql`select 1`, change))!;
  emit(event, false);
  return event;
}

/**
 * Applies one guarded write and records its change in a single statement, which Postgres runs
 * as its own transaction: no BEGIN/COMMIT round trips on the hot path (moves). `write` must be
 * an UPDATE … RETURNING that yields one row when it applies and none when its guard (say, a
 * version check) fails; then nothing is written, no seq is taken, and this returns null.
 */
export async function commitChange(db: Executor, write: SQL, change: Change): Promise<AppendedEvent | null> {
  const event = await appendChange(db, write, change);
  if (event) emit(event, true);
  return event;
}

/**
 * Appends an event that is not ticket activity (a chat message, a notification being read)
 * to any topic, in the caller's transaction; published after its commit.
 */
export async function recordEvent(tx: Executor, topic: string, type: string, payload: unknown): Promise<AppendedEvent> {
  const event = (await append(tx, sql`select 1`, null, topic, type, payload))!;
  emit(event, false);
  return event;
}

function appendChange(db: Executor, write: SQL, change: Change): Promise<AppendedEvent | null> {
  const activity = sql`insert into activity (project_id, ticket_id, actor_id, verb, data)
      select ${change.projectId}, ${change.ticketId}, ${change.actorId}, ${change.verb}, ${JSON.stringify(change.data)}::jsonb
      from written`;
  return append(db, write, activity, projectTopic(change.projectId), change.verb, change.payload);
}

/** The one outbox statement: the write, its activity row if any, the seq bump and the event. */
async function append(
  db: Executor,
  write: SQL,
  activity: SQL | null,
  topic: string,
  type: string,
  payload: unknown,
): Promise<AppendedEvent | null> {
  const rows = await db.execute<{ seq: string; created_at: string }>(sql`
    with written as (${write}), ${activity ? sql`logged as (${activity}), ` : sql``}next as (
      insert into topic_seqs (topic, seq) select ${topic}, 1 from written
      on conflict (topic) do update set seq = topic_seqs.seq + 1
      returning seq
    )
    insert into events (topic, seq, type, payload)
    select ${topic}, next.seq, ${type}, ${JSON.stringify(payload)}::jsonb from next
    returning seq, created_at`);
  const row = rows[0];
  if (!row) return null;
  return { type, topic, seq: Number(row.seq), at: isoTime(row.created_at), data: payload };
}
