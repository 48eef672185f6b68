/**
 * Notifications (SPEC §5, §6): who hears about a change, stored per user and pushed on the
 * user's own topic. The rules:
 *
 * - `assigned`: you were added to a ticket's assignees;
 * - `mentioned`: your `@username` is in a comment or chat message on a ticket you can see;
 * - `commented` / `chat`: someone wrote on a ticket you report or are assigned to;
 * - `done`: a ticket you report or are assigned to entered a done column.
 *
 * Never the actor, never a deactivated user, never someone who cannot see the ticket (a
 * mention does not leak a ticket). One notification per person per change: a mention wins
 * over "commented". Chat is chatty, so while you have an unread `chat` notification for a
 * ticket, further messages there add none.
 *
 * Each notification and its `notification.created` event are written in the transaction of
 * the change that caused them, so a rolled-back change notifies nobody.
 */
import type { Db, Executor } from '@laneway/db/client';
import { notificationPreferences, notifications } from '@laneway/db/schema';
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import { pgArray } from '../lib/sql-array.ts';
import { isoTime } from '../lib/time.ts';
import { recordEvent, topicSeq, userTopic } from './changes.ts';
import { TASKS } from '@laneway/db/tasks';
import { currentRequestId, emit, transact } from './publish.ts';

import { NOTIFICATION_KINDS, type NotificationChannel, type NotificationKind } from '../schemas/notifications.ts';

type NotificationRow = typeof notifications.$inferSelect;

export function serializeNotification(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    ticket: n.ticketId,
    actor: n.actorId,
    data: n.data as Record<string, unknown>,
    created_at: n.createdAt.toISOString(),
    read_at: n.readAt?.toISOString() ?? null,
  };
}
export type NotificationJson = ReturnType<typeof serializeNotification>;

/** The ticket facts the rules need, taken from the ticket as the API shows it. */
export interface TicketSummary {
  id: number;
  key: string;
  title: string;
  project: number;
  reporter: number | null;
  assignees: number[];
}

/** `@username` mentions in Markdown, lower-cased; a trailing full stop is punctuation. */
export function mentionsIn(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(/(?<![\w@.+-])@([\w.@+-]{1,150})/g)) {
    const name = match[1]!.toLowerCase();
    found.add(name);
    found.add(name.replace(/[.+-]+$/, ''));
    if (found.size >= 50) break;
  }
  found.delete('');
  return [...found];
}

interface Recipient {
  userId: number;
  mentioned: boolean;
}

/**
 * SQL: user `u` may hear of ticket `t` (the rule of `canSeeTicket`, for many users at once): a
 * superuser, a member of the ticket's project, or (unless `staffOnly`) a person of the ticket's
 * company when that company is linked to the project. An internal note is heard by staff only.
 */
export function mayHear(staffOnly = false): SQL {
  const companyRule = staffOnly
    ? sql`false`
    : sql`(t.company_id is not null
          and exists (select 1 from project_companies pc
            where pc.project_id = t.project_id and pc.company_id = t.company_id)
          and (exists (select 1 from company_admins ca where ca.company_id = t.company_id and ca.user_id = u.id)
            or exists (select 1 from company_users cu where cu.company_id = t.company_id and cu.user_id = u.id)))`;
  return sql`(u.is_superuser
        or exists (select 1 from user_roles r where r.project_id = t.project_id and r.user_id = u.id)
        or ${companyRule})`;
}

/**
 * Of the candidates and the mentioned usernames, the active users other than the actor who
 * can see the ticket (`mayHear`).
 */
async function recipients(
  db: Executor,
  ticketId: number,
  actorId: number | null,
  candidates: number[],
  mentions: string[],
  staffOnly = false,
): Promise<Recipient[]> {
  if (!candidates.length && !mentions.length) return [];
  const rows = await db.execute<{ id: number; mentioned: boolean }>(sql`
    select u.id, lower(u.username) = any(${pgArray(mentions, 'text')}) as mentioned
    from users u join tickets t on t.id = ${ticketId}
    where u.is_active and u.id is distinct from ${actorId}::int
      and (u.id = any(${pgArray(candidates, 'int')}) or lower(u.username) = any(${pgArray(mentions, 'text')}))
      and ${mayHear(staffOnly)}`);
  return rows.map((r) => ({ userId: r.id, mentioned: r.mentioned }));
}

/**
 * Stores one notification per recipient and appends each one's event to its user topic, in
 * one statement. Recipients are distinct, so each topic's seq moves once.
 */
async function store(
  db: Executor,
  rows: { userId: number; kind: NotificationKind }[],
  actor: Actor,
  ticket: TicketSummary,
  data: Record<string, unknown>,
): Promise<void> {
  await storeNotifications(db, rows, actor.id, ticket.id, {
    ...data,
    ticket_key: ticket.key,
    title: ticket.title,
    project: ticket.project,
  });
}

/**
 * Stores notifications (any kind, with or without a ticket or an actor: a job disabling a
 * webhook has neither) in the caller's transaction, with their events and email jobs.
 */
export async function storeNotifications(
  db: Executor,
  rows: { userId: number; kind: NotificationKind }[],
  actorId: number | null,
  ticketId: number | null,
  data: Record<string, unknown>,
): Promise<void> {
  if (!rows.length) return;
  const events = await db.execute<NotificationEventRow>(sql`
    with wanted as (
      select w.user_id, w.kind, ${ticketId}::int as ticket_id, ${actorId}::int as actor_id,
        ${JSON.stringify(data)}::jsonb as data
      from unnest(${pgArray(
        rows.map((r) => r.userId),
        'int',
      )}, ${pgArray(
        rows.map((r) => r.kind),
        'text',
      )}) as w(user_id, kind)
    ), ${notificationWrites(sql`wanted`)}
    insert into events (topic, seq, type, payload, request_id)
    ${notificationEvents()}
    returning topic, seq, payload, created_at, (select count(*) from notified_jobs) as jobs`);
  emitNotifications(events, false);
}

/** A `notification.created` event as the statement that stored it returns it. */
export type NotificationEventRow = {
  topic: string;
  seq: string;
  payload: unknown;
  created_at: string;
};

/**
 * The CTEs that store notifications, in the statement of the change that caused them: `wanted`
 * names rows of (user_id, kind, ticket_id, actor_id, data). Whoever chose none for a kind
 * hears nothing of it (issue 13 item 15); each notification is stored (`notified`), moves its
 * user's topic seq (`notified_seqs`, once per user however many it gets) and keeps one digest
 * job per user pending (`notified_jobs`). The statement must reference `notified_jobs` (a
 * plain SELECT runs only if referenced: its RETURNING does) and insert `notificationEvents`.
 */
export function notificationWrites(wanted: SQL): SQL {
  return sql`heard as (
      select w.* from ${wanted} w
      where not exists (select 1 from notification_preferences p
        where p.user_id = w.user_id and p.kind = w.kind and p.channel = 'none')
    ), notified as (
      insert into notifications (user_id, kind, ticket_id, actor_id, data)
      select user_id, kind, ticket_id, actor_id, data from heard
      returning *
    ), notified_seqs as (
      insert into topic_seqs (topic, seq) select 'user:' || user_id, count(*) from heard group by user_id
      on conflict (topic) do update set seq = topic_seqs.seq + excluded.seq
      returning topic, seq
    ), notified_jobs as (
      -- One \`notify\` job per recipient (SPEC §7; workers/src/tasks/notify.ts
      -- re-adds the same key): the key makes a burst share one pending job, and preserve_run_at
      -- keeps that job's digest time.
      select graphile_worker.add_job(
        identifier => ${TASKS.notify}::text,
        payload => json_build_object('user', user_id, 'request_id', ${currentRequestId()}::text),
        job_key => 'notify:user:' || user_id,
        job_key_mode => 'preserve_run_at')
      from (select distinct user_id from heard) h
    )`;
}

/** The rows of the `notification.created` events of `notificationWrites`, numbered per user. */
export function notificationEvents(): SQL {
  return sql`select s.topic,
      s.seq - count(*) over (partition by n.user_id) + row_number() over (partition by n.user_id order by n.id),
      'notification.created', jsonb_build_object(
      'id', n.id, 'kind', n.kind, 'ticket', n.ticket_id, 'actor', n.actor_id, 'data', n.data,
      'created_at', to_char(n.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'read_at', null),
      ${currentRequestId()}::text
    from notified n join notified_seqs s on s.topic = 'user:' || n.user_id`;
}

/**
 * Sends the stored notifications' events, in seq order per user topic; `committed` as for
 * `emit` (true when their statement was its own transaction).
 */
export function emitNotifications(events: NotificationEventRow[], committed: boolean): void {
  const ordered = [...events].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : Number(a.seq) - Number(b.seq),
  );
  for (const e of ordered) {
    emit(
      { type: 'notification.created', topic: e.topic, seq: Number(e.seq), at: isoTime(e.created_at), data: e.payload },
      committed,
    );
  }
}

/** New assignees hear that they were given the ticket. */
export async function notifyAssigned(
  tx: Executor,
  actor: Actor,
  ticket: TicketSummary,
  added: number[],
): Promise<void> {
  const people = await recipients(tx, ticket.id, actor.id, added, []);
  await store(
    tx,
    people.map((p) => ({ userId: p.userId, kind: 'assigned' as const })),
    actor,
    ticket,
    {},
  );
}

/**
 * The reporter and assignees hear that their ticket is done. Written in the statement of the
 * move (ticket-moves.ts `writeMoves`): `doneNotice` is what each move row carries, `doneWanted`
 * the `wanted` rows for `notificationWrites` from those rows (`moved`: id, people, notice;
 * `notice` null for a move that does not enter done).
 */
export function doneNotice(
  ticket: TicketSummary,
  column: number,
): { people: number[]; notice: Record<string, unknown> } {
  return {
    people: [...ticket.assignees, ...(ticket.reporter === null ? [] : [ticket.reporter])],
    notice: { column, ticket_key: ticket.key, title: ticket.title, project: ticket.project },
  };
}

export function doneWanted(moved: SQL, actorId: number): SQL {
  return sql`(select u.id as user_id, 'done'::text as kind, mv.id as ticket_id, ${actorId}::int as actor_id,
        mv.notice as data
      from ${moved} mv join tickets t on t.id = mv.id join users u on u.id = any(mv.people)
      where mv.notice is not null and u.is_active and u.id <> ${actorId}::int and ${mayHear()})`;
}

/** Chat is chatty: leaves out who has an unread chat notification of the ticket (unless mentioned). */
async function withoutWaitingChat(tx: Executor, ticketId: number, people: Recipient[]): Promise<Recipient[]> {
  const waiting = await tx.execute<{ user_id: number }>(sql`
    select distinct user_id from notifications
    where ticket_id = ${ticketId} and kind = 'chat' and read_at is null
      and user_id = any(${pgArray(
        people.map((p) => p.userId),
        'int',
      )})`);
  const skip = new Set(waiting.map((w) => w.user_id));
  return people.filter((p) => p.mentioned || !skip.has(p.userId));
}

/**
 * A comment or chat message: the mentioned hear `mentioned`; the reporter and assignees hear
 * `commented` (or `chat`, unless an unread chat notification of this ticket is waiting).
 */
export async function notifyDiscussion(
  tx: Executor,
  actor: Actor,
  ticket: TicketSummary,
  what: { kind: 'commented' | 'chat'; body: string; ref: Record<string, number>; staffOnly?: boolean },
): Promise<void> {
  const involved = [...ticket.assignees, ...(ticket.reporter === null ? [] : [ticket.reporter])];
  let people = await recipients(tx, ticket.id, actor.id, involved, mentionsIn(what.body), what.staffOnly);
  if (what.kind === 'chat') people = await withoutWaitingChat(tx, ticket.id, people);
  const excerpt = what.body.length > 200 ? `${what.body.slice(0, 199)}…` : what.body;
  await store(
    tx,
    people.map((p) => ({ userId: p.userId, kind: p.mentioned ? ('mentioned' as const) : what.kind })),
    actor,
    ticket,
    { ...what.ref, excerpt, ...(what.staffOnly ? { internal: true } : {}) },
  );
}

/**
 * A contact's reply by mail, appended to the ticket's room (SPEC §13): the reporter and the
 * assignees hear `chat` as for a message in the app (not while an unread chat notification of
 * the ticket waits), and whoever it mentions hears `mentioned`. There is no actor user: the
 * notification names the contact (`data.contact_name`) and says `via: "email"`.
 */
export async function notifyContactReply(
  tx: Executor,
  ticket: TicketSummary,
  what: { body: string; ref: Record<string, number>; contactName: string },
): Promise<void> {
  const involved = [...ticket.assignees, ...(ticket.reporter === null ? [] : [ticket.reporter])];
  const people = await withoutWaitingChat(
    tx,
    ticket.id,
    await recipients(tx, ticket.id, null, involved, mentionsIn(what.body)),
  );
  const excerpt = what.body.length > 200 ? `${what.body.slice(0, 199)}…` : what.body;
  await storeNotifications(
    tx,
    people.map((p) => ({ userId: p.userId, kind: p.mentioned ? ('mentioned' as const) : ('chat' as const) })),
    null,
    ticket.id,
    {
      ...what.ref,
      excerpt,
      contact_name: what.contactName,
      via: 'email',
      ticket_key: ticket.key,
      title: ticket.title,
      project: ticket.project,
    },
  );
}

/** The caller's channel for every kind: `email` unless they chose otherwise. */
export async function getPreferences(
  db: Executor,
  actor: Actor,
): Promise<Record<NotificationKind, NotificationChannel>> {
  const rows = await db
    .select({ kind: notificationPreferences.kind, channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, actor.id));
  const chosen = new Map(rows.map((r) => [r.kind, r.channel as NotificationChannel]));
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, chosen.get(k) ?? 'email'])) as Record<
    NotificationKind,
    NotificationChannel
  >;
}

/** Sets some kinds' channels (a row only where it differs from the default `email`). */
export async function updatePreferences(
  db: Db,
  actor: Actor,
  changes: Partial<Record<NotificationKind, NotificationChannel | undefined>>,
): Promise<Record<NotificationKind, NotificationChannel>> {
  const entries = Object.entries(changes).filter(
    (e): e is [NotificationKind, NotificationChannel] => e[1] !== undefined,
  );
  await db.transaction(async (tx) => {
    const reset = entries.filter(([, channel]) => channel === 'email').map(([kind]) => kind);
    if (reset.length) {
      await tx
        .delete(notificationPreferences)
        .where(and(eq(notificationPreferences.userId, actor.id), inArray(notificationPreferences.kind, reset)));
    }
    const set = entries.filter(([, channel]) => channel !== 'email');
    if (set.length) {
      await tx
        .insert(notificationPreferences)
        .values(set.map(([kind, channel]) => ({ userId: actor.id, kind, channel })))
        .onConflictDoUpdate({
          target: [notificationPreferences.userId, notificationPreferences.kind],
          set: { channel: sql`excluded.channel` },
        });
    }
  });
  return getPreferences(db, actor);
}

/** The caller's notifications, newest first; `unread` keeps the unread ones only. */
export async function listNotifications(db: Executor, actor: Actor, unread: boolean, page: PageParams) {
  const { limit, offset } = pageWindow(page);
  // Read before the list: subscribing from it then misses nothing (SPEC §6).
  const seq = await topicSeq(db, userTopic(actor.id));
  const where = and(eq(notifications.userId, actor.id), unread ? isNull(notifications.readAt) : undefined);
  const rows = await db
    .select({ n: notifications, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(notifications)
    .where(where)
    .orderBy(desc(notifications.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, seq, results: rows.map((r) => serializeNotification(r.n)) };
}

/**
 * Marks notifications read and tells the user's other tabs (`notification.read` with the ids).
 * `id` null: every unread one. Marking a read one again changes nothing and tells nobody.
 */
async function markRead(db: Db, actor: Actor, id: number | null): Promise<number[]> {
  return transact(db, async (tx) => {
    const rows = await tx
      .update(notifications)
      .set({ readAt: sql`now()` })
      .where(
        and(
          eq(notifications.userId, actor.id),
          isNull(notifications.readAt),
          id === null ? undefined : eq(notifications.id, id),
        ),
      )
      .returning({ id: notifications.id });
    const ids = rows.map((r) => r.id);
    if (ids.length) await recordEvent(tx, userTopic(actor.id), 'notification.read', { ids });
    return ids;
  });
}

export async function readNotification(db: Db, actor: Actor, id: number): Promise<NotificationJson> {
  await markRead(db, actor, id);
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, actor.id)));
  if (!row) throw notFound();
  return serializeNotification(row);
}

export async function readAllNotifications(db: Db, actor: Actor): Promise<{ updated: number }> {
  return { updated: (await markRead(db, actor, null)).length };
}
