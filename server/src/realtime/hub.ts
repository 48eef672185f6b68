/**
 * Who may subscribe to what, and what a subscriber receives from the outbox. The same policy
 * module as REST decides (SPEC §6): a topic the actor may not see is refused, and a company
 * person's board stream carries only their companies' tickets, replays included.
 */
import type { Executor } from '@laneway/db/client';
import { chatRooms } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../lib/context.ts';
import { isoTime } from '../lib/time.ts';
import { canDiscussTicket, canSeeProject, isStaff } from '../policy/index.ts';
import { loadProjectAccess } from '../policy/load.ts';
import { factsOf, requireTicket } from '../services/tickets.ts';
import { TOPIC, type EventMessage } from './protocol.ts';

/** A granted subscription: the topic and, for company people on a board, their companies. */
export interface TopicGrant {
  topic: string;
  /** Null: everything on the topic. Otherwise only events about these companies' tickets. */
  companies: number[] | null;
}

/** Whether the actor may subscribe to `topic`; null when it does not exist or is not theirs. */
export async function authorizeTopic(db: Executor, actor: Actor, topic: string): Promise<TopicGrant | null> {
  const match = TOPIC.exec(topic);
  if (!match) return null;
  const kind = match[1];
  const id = Number(match[2]);
  if (kind === 'user') return id === actor.id ? { topic, companies: null } : null;
  if (kind === 'project') {
    const access = await loadProjectAccess(db, actor, id);
    if (!canSeeProject(access)) return null;
    return { topic, companies: isStaff(access) ? null : access.companyIds };
  }
  const [room] = await db.select().from(chatRooms).where(eq(chatRooms.id, id));
  if (!room) return null;
  if (room.ticketId !== null) {
    const found = await requireTicket(db, actor, room.ticketId).catch(() => null);
    return found && canDiscussTicket(found.access, factsOf(found.ticket)) ? { topic, companies: null } : null;
  }
  // Project-wide rooms are for the project's staff.
  const access = await loadProjectAccess(db, actor, room.projectId);
  return access && isStaff(access) ? { topic, companies: null } : null;
}

/**
 * Whether an event of a granted topic reaches the subscriber. Company people see ticket events
 * of their companies' tickets and the board's shape (columns, tags); comments, attachments and
 * membership changes on a board topic are for staff (company people read their tickets'
 * comments over REST and talk in the ticket's room).
 */
export function visibleTo(grant: TopicGrant, event: { type: string; data: unknown }): boolean {
  if (grant.companies === null) return true;
  if (event.type.startsWith('column.') || event.type.startsWith('tag.')) return true;
  if (!event.type.startsWith('ticket.')) return false;
  const company = (event.data as { company?: number | null } | null)?.company;
  return typeof company === 'number' && grant.companies.includes(company);
}

/** Most events replayed on one subscribe; further behind, the client refetches (`resync`). */
export const MAX_REPLAY = 1_000;

export interface Replay {
  /** The topic's latest seq: the client's resume point once it has these events. */
  seq: number;
  /** True when `since` is older than what the outbox keeps (or too far behind): refetch. */
  resync: boolean;
  events: EventMessage[];
}

/**
 * Every event of the topic after `since`, in order, filtered for the subscriber; or `resync`
 * when some of them were already pruned (older than EVENT_RETENTION_HOURS) or too many.
 */
export async function replay(db: Executor, grant: TopicGrant, since: number): Promise<Replay> {
  const [bounds] = await db.execute<{ latest: string | null; oldest: string | null }>(sql`
    select (select seq from topic_seqs where topic = ${grant.topic}) as latest,
      (select min(seq) from events where topic = ${grant.topic}) as oldest`);
  const latest = Number(bounds?.latest ?? 0);
  if (since >= latest) return { seq: latest, resync: since > latest, events: [] };
  const oldest = bounds?.oldest === null || bounds?.oldest === undefined ? null : Number(bounds.oldest);
  if (oldest === null || oldest > since + 1 || latest - since > MAX_REPLAY) {
    return { seq: latest, resync: true, events: [] };
  }
  const rows = await db.execute<{ seq: string; type: string; payload: unknown; created_at: string }>(sql`
    select seq, type, payload, created_at from events
    where topic = ${grant.topic} and seq > ${since} and seq <= ${latest} order by seq`);
  const events = rows
    .map((r) => ({ type: r.type, topic: grant.topic, seq: Number(r.seq), at: isoTime(r.created_at), data: r.payload }))
    .filter((e) => visibleTo(grant, e));
  return { seq: latest, resync: false, events };
}
