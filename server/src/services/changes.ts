import type { Executor } from '@laneway/db/client';
import { executePrepared } from '@laneway/db/prepared';
import { sql, type SQL } from 'drizzle-orm';
import { isoTime } from '../lib/time.ts';
import type {
  ActivityData,
  EventActivityVerb,
  EventMessage,
  EventPayload,
  EventType,
  EVENTS,
} from '../realtime/events.ts';
import { currentRequestId, emit } from './publish.ts';

/** The realtime topic of a project's board. */
export const projectTopic = (projectId: number): TopicOf<'project'> => `project:${projectId}`;
/** The realtime topic of a chat room. */
export const roomTopic = (roomId: number): TopicOf<'room'> => `room:${roomId}`;
/** The realtime topic of a user's own notifications. */
export const userTopic = (userId: number): TopicOf<'user'> => `user:${userId}`;

/** A topic of one kind, e.g. `project:7`. */
type TopicOf<K extends string> = `${K}:${number}`;
/** The topic an event type is recorded on (the registry's `topic`). */
type TopicFor<T extends EventType> = TopicOf<(typeof EVENTS)[T]['topic']>;

/**
 * A topic's latest seq (0 before its first event). A list read after it, subscribed to with
 * `since` = this seq, misses no event; an item both listed and replayed is the client's to
 * drop by id.
 */
export async function topicSeq(db: Executor, topic: string): Promise<number> {
  const rows = await db.execute<{ seq: string }>(sql`select seq from topic_seqs where topic = ${topic}`);
  return Number(rows[0]?.seq ?? 0);
}

export type AppendedEvent = EventMessage;

/**
 * One change to a project's board: its activity row and its event, typed by the registry
 * (`realtime/events.ts`), so a verb is only recorded with its own data and payload shapes.
 */
export type Change<V extends EventActivityVerb = EventActivityVerb> = {
  [K in V]: {
    projectId: number;
    ticketId: number | null;
    actorId: number | null;
    /** Activity verb, also the event type. */
    verb: K;
    /** What changed, for the activity log (old and new values, ids). */
    data: ActivityData<K>;
    /** The resource as the API shows it after the change: the event payload. */
    payload: EventPayload<K>;
  };
}[V];

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
 * Records many changes at once (a job's batch), in the caller's transaction: one statement for
 * every activity row, one seq bump per project topic for all of its events, and the events
 * numbered in order within each topic.
 */
export async function recordChanges(tx: Executor, changes: Change[]): Promise<AppendedEvent[]> {
  if (!changes.length) return [];
  const items = changes.map((c, i) => ({
    ord: i,
    project_id: c.projectId,
    ticket_id: c.ticketId,
    actor_id: c.actorId,
    verb: c.verb,
    data: c.data,
    payload: c.payload,
  }));
  const rows = await appendRows(
    tx,
    sql`select * from jsonb_to_recordset(${JSON.stringify(items)}::jsonb)
      as x(ord int, project_id int, ticket_id int, actor_id int, verb text, data jsonb, payload jsonb)`,
    false,
  );
  // Within a topic, seqs were handed out in the order of `changes`: pair them back up.
  const byTopic = new Map<string, { seq: number; at: string }[]>();
  for (const r of rows) {
    const list = byTopic.get(r.topic) ?? [];
    list.push({ seq: Number(r.seq), at: isoTime(r.created_at) });
    byTopic.set(r.topic, list);
  }
  for (const list of byTopic.values()) list.sort((x, y) => x.seq - y.seq);
  const events = changes.map((c) => {
    const topic = projectTopic(c.projectId);
    const { seq, at } = byTopic.get(topic)!.shift()!;
    return { type: c.verb, topic, seq, at, data: c.payload } as EventMessage;
  });
  for (const event of events) emit(event, false);
  return events;
}

/**
 * The one statement of `recordChanges` and `recordChangesFrom`: `source` yields one row per
 * change (`ord`, its order within its project, `project_id`, `ticket_id`, `actor_id`, `verb`,
 * `data`, `payload`). It inserts the activity rows in that order, bumps each project topic's
 * seq once by its count, and inserts the events numbered in `ord` order within each topic;
 * returns each event's topic, seq and created_at, and its payload when `payloads`.
 */
function appendRows(tx: Executor, source: SQL, payloads: boolean) {
  return executePrepared<{ topic: string; seq: string; created_at: string; payload: unknown }>(
    tx,
    sql`
    with items as materialized (
      select r.*, row_number() over (partition by r.project_id order by r.ord) as rn,
        count(*) over (partition by r.project_id) as n
      from (${source}) r
    ), seqs as (
      insert into topic_seqs (topic, seq) select 'project:' || project_id, count(*) from items group by project_id
      on conflict (topic) do update set seq = topic_seqs.seq + excluded.seq
      returning topic, seq
    ), logged as (
      insert into activity (project_id, ticket_id, actor_id, verb, data)
      select project_id, ticket_id, actor_id, verb, data from items order by ord
    )
    insert into events (topic, seq, type, payload, request_id)
    select s.topic, s.seq - items.n + items.rn, items.verb, items.payload, ${currentRequestId()}::text
    from items join seqs s on s.topic = 'project:' || items.project_id
    order by s.topic, items.rn
    returning topic, seq, created_at, ${payloads ? sql`payload` : sql`null::jsonb`} as payload`,
  );
}

/**
 * The changed rows `recordChangesFrom` records, as a select: one row per change, its project,
 * ticket, activity data and event payload, all built in SQL.
 */
export type ChangeRows<V extends EventActivityVerb> = SQL<{
  project_id: number;
  ticket_id: number;
  data: ActivityData<V>;
  payload: EventPayload<V>;
}>;

/**
 * Records one change per row of `rows` (a select yielding `project_id`, `ticket_id`, `data` and
 * `payload`) in one statement of the caller's transaction, with no row crossing into JS on the
 * way in: the activity rows, one seq bump per project topic, and the events numbered in ticket
 * id order within each topic (as `recordChanges` numbers them in the order given). The events
 * are published after commit from the statement's RETURNING. `rows` reads in the statement's
 * snapshot: a write of the same transaction before this statement is seen, one in it is not.
 */
export async function recordChangesFrom<V extends EventActivityVerb>(
  tx: Executor,
  verb: V,
  actorId: number | null,
  rows: ChangeRows<V>,
): Promise<AppendedEvent[]> {
  const appended = await appendRows(
    tx,
    sql`select r.ticket_id as ord, r.project_id, r.ticket_id, ${actorId}::int as actor_id, ${verb}::text as verb,
        r.data, r.payload
      from (${rows}) r`,
    true,
  );
  // Within each topic in seq order; topics interleave as they may.
  appended.sort((x, y) => Number(x.seq) - Number(y.seq));
  // One transaction time for the whole statement: formatted once, not per row.
  const first = appended[0]?.created_at;
  const at = first === undefined ? '' : isoTime(first);
  const events = appended.map(
    (r) =>
      ({
        type: verb,
        topic: r.topic,
        seq: Number(r.seq),
        at: r.created_at === first ? at : isoTime(r.created_at),
        data: r.payload,
      }) as EventMessage,
  );
  for (const event of events) emit(event, false);
  return events;
}

/**
 * Appends an event that is not ticket activity (a chat message, a notification being read)
 * to any topic, in the caller's transaction; published after its commit.
 */
export async function recordEvent<T extends EventType>(
  tx: Executor,
  topic: TopicFor<T>,
  type: T,
  payload: EventPayload<T>,
): Promise<AppendedEvent> {
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
  type: EventType,
  payload: unknown,
): Promise<AppendedEvent | null> {
  const rows = await db.execute<{ seq: string; created_at: string }>(sql`
    with written as (${write}), ${activity ? sql`logged as (${activity}), ` : sql``}next as (
      insert into topic_seqs (topic, seq) select ${topic}, 1 from written
      on conflict (topic) do update set seq = topic_seqs.seq + 1
      returning seq
    )
    insert into events (topic, seq, type, payload, request_id)
    select ${topic}, next.seq, ${type}, ${JSON.stringify(payload)}::jsonb, ${currentRequestId()}::text from next
    returning seq, created_at`);
  const row = rows[0];
  if (!row) return null;
  // The registry's types pair `type` with `payload` at every caller; this is where they meet the row.
  return { type, topic, seq: Number(row.seq), at: isoTime(row.created_at), data: payload } as EventMessage;
}
