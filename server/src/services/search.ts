/**
 * Search everywhere (`GET /search/?q=`, decision 0035): projects, tickets (by key, or by title,
 * description and text custom field values), comments and chat messages, ranked together, each
 * kind filtered by the same visibility rules as its own list routes (policy/load.ts).
 *
 * Matching is PostgreSQL full-text search with the `laneway_search` configuration ('simple'
 * plus the `unaccent` dictionary, created by the `search_sql` migration): "resume" finds
 * "Résumé", every word of the query must match, and each word matches as a prefix, so a
 * half-typed word already finds something. Documents are stored tsvector columns with GIN indexes
 * (search.test.ts checks that the plans use them).
 */
import type { Executor } from '@laneway/db/client';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { staffInProjectSql, visibleProjectsSql, visibleTicketsSql } from '../policy/load.ts';
import type { SearchResult, SearchType } from '../schemas/search.ts';

/** The text search configuration every document and query goes through. */
const CONFIG = sql.raw(`'laneway_search'::regconfig`);

/**
 * The stored documents (generated columns of the `search_sql` migration, each with a GIN index):
 * a ticket's title (A), description (B) and string custom field values (C); a comment's and a
 * chat message's body (D). Not in the drizzle schema: only this module reads them.
 */
export const TICKET_DOCUMENT = sql.raw('tickets.search_vector');
export const COMMENT_DOCUMENT = sql.raw('c.search_vector');
export const MESSAGE_DOCUMENT = sql.raw('m.search_vector');
/** Projects are few: their document is computed, not indexed. */
const PROJECT_DOCUMENT = sql`(setweight(to_tsvector(${CONFIG}, p.name), 'A') ||
  setweight(to_tsvector(${CONFIG}, p.key), 'A') || setweight(to_tsvector(${CONFIG}, p.description), 'C'))`;

/** An exact key outranks any text match. */
const KEY_RANK = 100;
const MAX_WORDS = 8;

/** `OPS-42` (any case) as a project key and ticket number, or null. */
export function ticketKeyOf(q: string): { key: string; number: number } | null {
  const match = /^([A-Za-z][A-Za-z0-9]*)-(\d{1,9})$/.exec(q.trim());
  return match ? { key: match[1]!.toUpperCase(), number: Number(match[2]) } : null;
}

/**
 * The words of a query as a prefix tsquery string (`café:* & noir:*`). Only letters and digits
 * survive, so nothing the user types can be tsquery syntax; the configuration lowercases and
 * unaccents each word the way it did the documents.
 */
export function prefixQuery(q: string): string | null {
  const words = (q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

export interface SearchParams extends PageParams {
  q: string;
  type?: SearchType | undefined;
}

type HitRow = {
  type: SearchType;
  id: number;
  project: number;
  project_key: string;
  ticket: number | null;
  key: string | null;
  room: number | null;
  title: string;
  snippet: string;
  rank: number;
  created_at: Date | string;
  total: number;
};

/** One page of everything the actor may see that matches `q`, best first. */
export async function search(db: Executor, actor: Actor, params: SearchParams) {
  const words = prefixQuery(params.q);
  const key = ticketKeyOf(params.q);
  const rawKey = params.q.trim().toUpperCase();
  const query = words ? sql`to_tsquery(${CONFIG}, ${words})` : sql`null::tsquery`;
  const wanted = (t: SearchType) => params.type === undefined || params.type === t;

  const branches: SQL[] = [];
  if (wanted('project')) {
    branches.push(sql`
      select 'project' as type, p.id, p.id as project, p.key as project_key, null::int as ticket,
        null::text as key, null::int as room, p.name as title, p.description as text,
        coalesce(ts_rank(${PROJECT_DOCUMENT}, q.query), 0)
          + case when upper(p.key) = ${rawKey} then ${KEY_RANK} else 0 end as rank,
        p.created_at
      from projects p, q
      where ${visibleProjectsSql(actor)}
        and (${PROJECT_DOCUMENT} @@ q.query or upper(p.key) = ${rawKey})`);
  }
  if (wanted('ticket')) {
    const keyMatch = key ? sql`(upper(p.key) = ${key.key} and tickets.number = ${key.number})` : sql`false`;
    branches.push(sql`
      select 'ticket' as type, tickets.id, tickets.project_id as project, p.key as project_key, tickets.id as ticket,
        p.key || '-' || tickets.number as key, null::int as room, tickets.title, tickets.description as text,
        coalesce(ts_rank(${TICKET_DOCUMENT}, q.query), 0)
          + case when ${keyMatch} then ${KEY_RANK} else 0 end as rank,
        tickets.created_at
      from tickets join projects p on p.id = tickets.project_id, q
      where ${visibleTicketsSql(actor)}
        and (${TICKET_DOCUMENT} @@ q.query or ${keyMatch})`);
  }
  if (wanted('comment') && words) {
    // Internal notes (SPEC §4) are for the project's staff only; replies to one are internal too.
    branches.push(sql`
      select 'comment' as type, c.id, tickets.project_id as project, p.key as project_key, tickets.id as ticket,
        p.key || '-' || tickets.number as key, null::int as room, tickets.title, c.body as text,
        ts_rank(${COMMENT_DOCUMENT}, q.query) as rank, c.created_at
      from comments c join tickets on tickets.id = c.ticket_id join projects p on p.id = tickets.project_id, q
      where c.deleted_at is null
        and ${visibleTicketsSql(actor)}
        and (not c.internal or ${staffInProjectSql(actor, sql`tickets.project_id`)})
        and ${COMMENT_DOCUMENT} @@ q.query`);
  }
  if (wanted('message') && words) {
    // A ticket's room is for whoever sees the ticket; a project-wide room for the project's staff.
    branches.push(sql`
      select 'message' as type, m.id, r.project_id as project, p.key as project_key, tickets.id as ticket,
        case when tickets.id is null then null else p.key || '-' || tickets.number end as key, r.id as room,
        coalesce(tickets.title, r.name) as title, m.body as text,
        ts_rank(${MESSAGE_DOCUMENT}, q.query) as rank, m.created_at
      from chat_messages m join chat_rooms r on r.id = m.room_id join projects p on p.id = r.project_id
        left join tickets on tickets.id = r.ticket_id, q
      where m.deleted_at is null
        and case when r.ticket_id is null then ${staffInProjectSql(actor, sql`r.project_id`)}
          else ${visibleTicketsSql(actor)} end
        and ${MESSAGE_DOCUMENT} @@ q.query`);
  }
  if (branches.length === 0) return { count: 0, results: [] };

  const { limit, offset } = pageWindow(params);
  // The snippet (ts_headline re-parses the text) is made only for the page's rows.
  const rows = await db.execute<HitRow>(sql`
    with q as (select ${query} as query)
    select hit.type, hit.id, hit.project, hit.project_key, hit.ticket, hit.key, hit.room, hit.title,
      case when q.query is null or hit.type = 'project' then left(hit.text, 200)
        else ts_headline(${CONFIG}, hit.text, q.query, 'StartSel="", StopSel="", MaxWords=30, MinWords=12')
      end as snippet,
      hit.rank, hit.created_at, hit.total
    from (select h.*, count(*) over () as total from (${sql.join(branches, sql` union all `)}) h
      order by h.rank desc, h.created_at desc, h.type, h.id
      limit ${limit} offset ${offset}) hit, q
    order by hit.rank desc, hit.created_at desc, hit.type, hit.id`);
  return {
    count: Number(rows[0]?.total ?? 0),
    results: rows.map(serializeHit),
  };
}

function serializeHit(r: HitRow): SearchResult {
  return {
    type: r.type,
    id: r.id,
    project: r.project,
    project_key: r.project_key,
    ticket: r.ticket,
    key: r.key,
    room: r.room,
    title: r.title,
    snippet: r.snippet ?? '',
    rank: Number(r.rank),
    created_at: new Date(r.created_at).toISOString(),
  };
}
