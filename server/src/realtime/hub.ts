/**
 * Who may subscribe to what, and what a subscriber receives from the outbox. The same policy
 * module as REST decides (SPEC §6): a topic the actor may not see is refused, and a company
 * person's board stream carries only their companies' tickets, replays included.
 */
import type { Executor } from '@laneway/db/client';
import { sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { isoTime } from '../lib/time.ts';
import { AppError } from '../lib/errors.ts';
import { canSeeProject, isStaff } from '../policy/index.ts';
import { loadProjectAccess } from '../policy/load.ts';
import { requireRoom } from '../services/chat.ts';
import { frameOf, storedFrame, textFrame } from './frames.ts';
import { ReplayGate } from './replay-gate.ts';
import { EVENTS, isEventType, type TicketChange, type TicketDeleted } from './events.ts';
import { TOPIC, type BusMessage, type PresenceData } from './protocol.ts';

/** A granted subscription: the topic and, for company people on a board, their companies. */
export interface TopicGrant {
  topic: string;
  /** Null: everything on the topic. Otherwise only events about these companies' tickets. */
  companies: number[] | null;
  /** The subscriber: their own ephemeral events are not echoed back to them. */
  actorId: number;
}

/** Whether the actor may subscribe to `topic`; null when it does not exist or is not theirs. */
export async function authorizeTopic(db: Executor, actor: Actor, topic: string): Promise<TopicGrant | null> {
  const match = TOPIC.exec(topic);
  if (!match) return null;
  const kind = match[1];
  const id = Number(match[2]);
  const grant = (companies: number[] | null): TopicGrant => ({ topic, companies, actorId: actor.id });
  if (kind === 'user') return id === actor.id ? grant(null) : null;
  if (kind === 'project') {
    const access = await loadProjectAccess(db, actor, id);
    if (!canSeeProject(access)) return null;
    return grant(isStaff(access) ? null : access.companyIds);
  }
  // A room: whoever may talk in it (the chat service's rule).
  const found = await requireRoom(db, actor, id).catch((error: unknown) => {
    if (error instanceof AppError) return null;
    throw error;
  });
  return found ? grant(null) : null;
}

/** An event about something staff-only whatever its type's audience: an internal note (decision 0037). */
export const isInternal = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && (data as { internal?: unknown }).internal === true;

/**
 * Whether an event of a granted topic reaches the subscriber. Company people see ticket events
 * of their companies' tickets, their visible comments, and the board's shape (columns, tags);
 * internal notes, attachments and membership changes on a board topic are for staff (company
 * people read their tickets' attachments over REST and talk in the ticket's room).
 */
export function visibleTo(grant: TopicGrant, event: { type: string; seq: number; data: unknown }): boolean {
  if (event.seq === 0) {
    const data = event.data as Partial<PresenceData>;
    if (data.user?.id === grant.actorId) return false;
    // Company people see who is on the board, but not which (maybe other companies') card moves.
    return grant.companies === null || (data.dragging ?? null) === null;
  }
  if (grant.companies === null) return true;
  if (!isEventType(event.type) || isInternal(event.data)) return false;
  switch (EVENTS[event.type].audience) {
    case 'everyone':
      return true;
    case 'staff':
      return false;
    case 'company': {
      const company = (event.data as { company?: number | null } | null)?.company;
      return typeof company === 'number' && grant.companies.includes(company);
    }
  }
}

/**
 * What a company subscriber gets instead of an event they may not see about a ticket that was
 * theirs until this change (`previous_company` is one of their companies): the ticket's
 * removal, shaped as `ticket.deleted`, with none of its new data (issue 14 row 11, decision
 * 0025). Null when the event is visible to them, or was never about their company.
 */
export function removalFor(
  grant: TopicGrant,
  event: { type: string; seq: number; data: unknown },
): TicketDeleted | null {
  if (grant.companies === null || event.seq === 0 || !isEventType(event.type)) return null;
  if (EVENTS[event.type].audience !== 'company') return null;
  const data = event.data as Partial<TicketChange> | null;
  const previous = data?.previous_company;
  if (typeof previous !== 'number' || !grant.companies.includes(previous) || visibleTo(grant, event)) return null;
  return { id: data!.id!, number: data!.number!, key: data!.key!, company: previous };
}

/** The frame of a removal standing in for `event` (same topic and seq: the sequence stays gap-free). */
export function removalFrame(event: { topic: string; seq: number; at: string }, removal: TicketDeleted): Buffer {
  const message: BusMessage = {
    type: 'ticket.deleted',
    topic: event.topic,
    seq: event.seq,
    at: event.at,
    data: removal,
  };
  return textFrame(JSON.stringify(message));
}

const hasPreviousCompany = (data: unknown): data is TicketChange =>
  typeof data === 'object' && data !== null && Object.hasOwn(data, 'previous_company');

/**
 * The event as a company subscriber may see it: a ticket that came from another company does
 * not say which (that company's id is not theirs to know). Framed once per event.
 */
const companyFrames = new WeakMap<BusMessage, Buffer>();
function companyFrame(event: BusMessage): Buffer {
  let built = companyFrames.get(event);
  if (built === undefined) {
    const { previous_company: _hidden, ...data } = event.data as TicketChange;
    companyFrames.set(event, (built = textFrame(JSON.stringify({ ...event, data }))));
  }
  return built;
}

/** The frame a subscriber gets for a live event: the event's, a removal in its place, or none. */
export function frameFor(grant: TopicGrant, event: BusMessage): Buffer | null {
  if (visibleTo(grant, event)) {
    return grant.companies !== null && event.seq !== 0 && hasPreviousCompany(event.data)
      ? companyFrame(event)
      : frameOf(event);
  }
  const removal = removalFor(grant, event);
  return removal ? removalFrame(event, removal) : null;
}

/** Most events replayed on one subscribe; further behind, the client refetches (`resync`). */
export const MAX_REPLAY = 1_000;

/** Replays reading the outbox at once on this instance; others wait (`ReplayGate`). */
export const REPLAY_CONCURRENCY = 4;
const gate = new ReplayGate(REPLAY_CONCURRENCY);

/** A stored event, ready to send: its frame, and its data parsed only when filtering needs it. */
export interface StoredEvent {
  type: string;
  seq: number;
  frame: Buffer;
  data: unknown;
}

export interface Replay {
  /** The topic's latest seq: the client's resume point once it has these events. */
  seq: number;
  /** True when `since` is older than what the outbox keeps (or too far behind): refetch. */
  resync: boolean;
  events: StoredEvent[];
}

/** What one outbox read found: the topic's bounds and, when complete, every event after `since`. */
interface Read {
  since: number;
  latest: number;
  oldest: number | null;
  /** False when the read stopped at the bounds (a resync was due for its `since`). */
  complete: boolean;
  events: StoredEvent[];
}

/**
 * A read waiting for its turn at the gate, which later replays of the same topic (for the same
 * audience, on the same database) join instead of queueing their own: its `since` moves down
 * to theirs. Only a read that has not started is joined: one that started before a subscriber's
 * bus listener was in place could miss an event committed in between (decision 0049).
 */
interface Batch {
  since: number;
  started: boolean;
  read: Promise<Read>;
}
const batches = new WeakMap<Executor, Map<string, Batch>>();

/**
 * Every event of the topic after `since`, in order, filtered for the subscriber; or `resync`
 * when some of them were already pruned (older than EVENT_RETENTION_HOURS) or more than `limit`
 * (at most MAX_REPLAY). One query: the topic's bounds and the rows after `since` (none when a
 * resync is due), run through the instance's replay gate and shared by every replay of the
 * topic and audience that arrives while it waits there (a reconnect storm reads the outbox a
 * handful of times, not once per socket).
 */
export async function replay(db: Executor, grant: TopicGrant, since: number, limit = MAX_REPLAY): Promise<Replay> {
  const max = Math.min(limit, MAX_REPLAY);
  let waiting = batches.get(db);
  if (!waiting) batches.set(db, (waiting = new Map()));
  // Company subscribers get frames filtered for their companies: they share reads only with the same companies.
  const key = `${grant.topic}|${grant.companies === null ? '*' : grant.companies.join(',')}`;
  let batch = waiting.get(key);
  if (batch && !batch.started) batch.since = Math.min(batch.since, since);
  else {
    const own: Batch = { since, started: false, read: Promise.resolve(null as never) };
    waiting.set(key, own);
    // The gate may start it at once (a free slot): from then on nobody joins it.
    own.read = gate.run(() => {
      own.started = true;
      if (waiting.get(key) === own) waiting.delete(key);
      return readOutbox(db, grant, own.since, MAX_REPLAY);
    });
    batch = own;
  }
  const read = await batch.read;
  const found = replayFrom(read, since, max);
  // The shared read went back further than MAX_REPLAY from its oldest `since`, so it stopped
  // at the bounds; this subscriber is close enough for a read of its own.
  return found ?? gate.run(async () => replayFrom(await readOutbox(db, grant, since, max), since, max)!);
}

/** This subscriber's replay out of a read from `read.since` ≤ `since`; null when the read cannot tell. */
function replayFrom(read: Read, since: number, limit: number): Replay | null {
  const { latest, oldest } = read;
  if (since >= latest) return { seq: latest, resync: since > latest, events: [] };
  if (oldest === null || oldest > since + 1 || latest - since > limit) return { seq: latest, resync: true, events: [] };
  if (!read.complete) return null;
  return { seq: latest, resync: false, events: read.events.filter((e) => e.seq > since) };
}

async function readOutbox(db: Executor, grant: TopicGrant, since: number, limit: number): Promise<Read> {
  const rows = await db.execute<{
    latest: string | null;
    oldest: string | null;
    seq: string | null;
    type: string | null;
    payload: string | null;
    created_at: string | null;
  }>(sql`
    with bounds as (
      select (select seq from topic_seqs where topic = ${grant.topic}) as latest,
        (select min(seq) from events where topic = ${grant.topic}) as oldest)
    select b.latest, b.oldest, e.seq, e.type, e.payload::text as payload, e.created_at
    from bounds b left join lateral (
      select seq, type, payload, created_at from events
      where topic = ${grant.topic} and seq > ${since}::bigint and seq <= b.latest
        and b.oldest <= ${since}::bigint + 1 and b.latest - ${since}::bigint <= ${limit}
      order by seq) e on true`);
  const first = rows[0];
  const latest = Number(first?.latest ?? 0);
  const oldest = first?.oldest === null || first?.oldest === undefined ? null : Number(first.oldest);
  const bounds = { since, latest, oldest, events: [] };
  if (since >= latest) return { ...bounds, complete: true };
  if (oldest === null || oldest > since + 1 || latest - since > limit) return { ...bounds, complete: false };
  const filtered = grant.companies !== null;
  const events: StoredEvent[] = [];
  for (const r of rows) {
    if (r.seq === null) continue;
    const seq = Number(r.seq);
    const event = { type: r.type!, seq, data: filtered ? (JSON.parse(r.payload!) as unknown) : null };
    const at = isoTime(r.created_at!);
    if (filtered) {
      // Company subscribers: the event, its removal, or nothing, never a foreign company's id.
      const frame = frameFor(grant, { ...event, topic: grant.topic, at });
      if (frame) events.push({ ...event, frame });
      continue;
    }
    events.push({ ...event, frame: storedFrame(grant.topic, seq, r.type!, at, r.payload!) });
  }
  return { since, latest, oldest, complete: true, events };
}
