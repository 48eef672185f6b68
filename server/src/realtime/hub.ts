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
import { storedFrame } from './frames.ts';
import { EVENTS, isEventType } from './events.ts';
import { TOPIC, type PresenceData } from './protocol.ts';

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

/**
 * Whether an event of a granted topic reaches the subscriber. Company people see ticket events
 * of their companies' tickets and the board's shape (columns, tags); comments, attachments and
 * membership changes on a board topic are for staff (company people read their tickets'
 * comments over REST and talk in the ticket's room).
 */
export function visibleTo(grant: TopicGrant, event: { type: string; seq: number; data: unknown }): boolean {
  if (event.seq === 0) {
    const data = event.data as Partial<PresenceData>;
    if (data.user?.id === grant.actorId) return false;
    // Company people see who is on the board, but not which (maybe other companies') card moves.
    return grant.companies === null || (data.dragging ?? null) === null;
  }
  if (grant.companies === null) return true;
  if (!isEventType(event.type)) return false;
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

/** Most events replayed on one subscribe; further behind, the client refetches (`resync`). */
export const MAX_REPLAY = 1_000;

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

/**
 * Every event of the topic after `since`, in order, filtered for the subscriber; or `resync`
 * when some of them were already pruned (older than EVENT_RETENTION_HOURS) or too many. One
 * query: the topic's bounds and the rows after `since` (none when a resync is due).
 */
export async function replay(db: Executor, grant: TopicGrant, since: number): Promise<Replay> {
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
        and b.oldest <= ${since}::bigint + 1 and b.latest - ${since}::bigint <= ${MAX_REPLAY}
      order by seq) e on true`);
  const first = rows[0];
  const latest = Number(first?.latest ?? 0);
  if (since >= latest) return { seq: latest, resync: since > latest, events: [] };
  const oldest = first?.oldest === null || first?.oldest === undefined ? null : Number(first.oldest);
  if (oldest === null || oldest > since + 1 || latest - since > MAX_REPLAY) {
    return { seq: latest, resync: true, events: [] };
  }
  const filtered = grant.companies !== null;
  const events: StoredEvent[] = [];
  for (const r of rows) {
    if (r.seq === null) continue;
    const seq = Number(r.seq);
    const event = { type: r.type!, seq, data: filtered ? (JSON.parse(r.payload!) as unknown) : null };
    if (filtered && !visibleTo(grant, event)) continue;
    events.push({ ...event, frame: storedFrame(grant.topic, seq, r.type!, isoTime(r.created_at!), r.payload!) });
  }
  return { seq: latest, resync: false, events };
}
