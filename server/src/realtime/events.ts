/**
 * The one registry of event types (STYLE 16, SPEC §6): every event a change records, its
 * payload (what realtime subscribers and webhooks receive) and its activity data (what the
 * ticket's or project's activity log keeps). Services can only record a type listed here with
 * its payload's shape; webhooks accept only these names; the web app switches over them
 * exhaustively. A new event type is one entry in `EventMap` and one in `EVENTS`; the compiler
 * then names every place that must handle it.
 *
 * Dependency-free at run time (the schema imports are types only), so the web app imports the
 * values (`EVENTS`, `WEBHOOK_EVENT_TYPES`) without bundling zod or the server.
 */
import type { Attachment } from '../schemas/attachments.ts';
import type { ChecklistChange } from '../schemas/checklists.ts';
import type { Message } from '../schemas/chat.ts';
import type { Column } from '../schemas/columns.ts';
import type { CommentEvent } from '../schemas/comments.ts';
import type { RelationChange } from '../schemas/relations.ts';
import type { Field } from '../schemas/fields.ts';
import type { Notification } from '../schemas/notifications.ts';
import type { Member, Project, ProjectRole } from '../schemas/projects.ts';
import type { SlaBreach } from '../schemas/sla.ts';
import type { Tag } from '../schemas/tags.ts';
import type { Ticket } from '../schemas/tickets.ts';
import type { TimeEntryChange } from '../schemas/time.ts';

/** A field's value before and after a change. */
export type Changed = Record<string, [unknown, unknown]>;

/**
 * A ticket changed column: one shape for every path that moves a ticket (a drag, a PATCH with
 * `column`, a column deleted with "move its cards to"). `changed` carries the other fields a
 * PATCH changed in the same write; `column_deleted` marks the reorganisation.
 */
export interface TicketMovedActivity {
  from_column: number;
  to_column: number;
  /** The key in the new column; null in rows migrated from before the one move path (PATCH moves). */
  position: string | null;
  changed?: Changed;
  column_deleted?: true;
}

/** What a deleted ticket's event still says: enough to drop the card, and its company for filtering. */
export interface TicketDeleted {
  id: number;
  number: number;
  key: string;
  company: number | null;
}

/**
 * A changed or moved ticket as its event carries it: the ticket, plus `previous_company` when
 * this change took it away from a company. Subscribers of that company may no longer see the
 * ticket: the hub sends them a `ticket.deleted` removal built from this event instead
 * (`removalFor` in hub.ts, decision 0025), so their card goes and nothing new is revealed.
 */
export type TicketChange = Ticket & { previous_company?: number | null };

/** A deleted column, tag or custom field. */
export interface Removed {
  id: number;
}

/**
 * Every recorded event type: `payload` is the event's data on the wire and in webhooks,
 * `activity` the data of its activity row (`never` for events that write none).
 */
export interface EventMap {
  'project.created': { payload: Project; activity: { name: string } };
  'project.updated': { payload: Project; activity: { fields: string[] } };
  'member.added': { payload: Member; activity: { user: number; role: ProjectRole } };
  'member.updated': { payload: Member; activity: { user: number; role: ProjectRole } };
  'member.removed': { payload: { user: number }; activity: { user: number } };
  'column.created': { payload: Column; activity: { column: number } };
  'column.updated': { payload: Column; activity: { column: number; fields: string[] } };
  'column.moved': { payload: Column; activity: { column: number } };
  'column.deleted': { payload: Removed; activity: { column: number; name: string; moved_to: number | null } };
  'field.created': { payload: Field; activity: { field: number; name: string } };
  'field.updated': { payload: Field; activity: { field: number; fields: string[]; removed_options: number[] } };
  'field.moved': { payload: Field; activity: { field: number } };
  'field.deleted': { payload: Removed; activity: { field: number; name: string } };
  'tag.created': { payload: Tag; activity: { tag: number } };
  'tag.updated': { payload: Tag; activity: { tag: number } };
  'tag.deleted': { payload: Removed; activity: { tag: number; name: string } };
  'ticket.created': { payload: Ticket; activity: { number: number; title: string; column: number } };
  'ticket.updated': {
    payload: TicketChange;
    /** `tag_names`: when the tags changed, the name of every tag in `changed.tags` then, by id. */
    activity: { changed: Changed; tag_names?: Record<string, string> };
  };
  'ticket.moved': { payload: TicketChange; activity: TicketMovedActivity };
  'ticket.archived': { payload: Ticket; activity: { automatic?: true; done_at?: string | null } };
  'ticket.unarchived': { payload: Ticket; activity: Record<string, never> };
  'ticket.deleted': { payload: TicketDeleted; activity: { ticket: number; number: number; title: string } };
  'checklist.item_created': { payload: ChecklistChange; activity: { item: number; text: string } };
  'checklist.item_updated': { payload: ChecklistChange; activity: { item: number; changed: Changed } };
  'checklist.item_deleted': { payload: ChecklistChange; activity: { item: number; text: string } };
  'relation.created': {
    payload: RelationChange;
    activity: { relation: number; kind: string; from: number; to: number };
  };
  'relation.deleted': {
    payload: RelationChange;
    activity: { relation: number; kind: string; from: number; to: number };
  };
  'time.entry_created': { payload: TimeEntryChange; activity: never };
  'time.entry_updated': { payload: TimeEntryChange; activity: never };
  'time.entry_deleted': { payload: TimeEntryChange; activity: never };
  'ticket.sla_breached': { payload: SlaBreach; activity: never };
  'comment.created': { payload: CommentEvent; activity: { comment: number; parent: number | null; internal?: true } };
  'comment.updated': { payload: CommentEvent; activity: { comment: number; internal?: true } };
  'comment.deleted': {
    payload: CommentEvent;
    activity: { comment: number; author: number | null; internal?: true };
  };
  'attachment.created': {
    payload: Attachment;
    activity: { attachment: number; filename: string; content_type: string; size: number };
  };
  'attachment.deleted': { payload: Attachment; activity: { attachment: number; filename: string } };
  'chat.message': { payload: Message; activity: never };
  'notification.created': { payload: Notification; activity: never };
  'notification.read': { payload: { ids: number[] }; activity: never };
}

export type EventType = keyof EventMap;
export type EventPayload<T extends EventType> = EventMap[T]['payload'];

/**
 * Activity rows that are not events: changes to a project's webhooks are for its managers
 * only (their URLs and secrets must not reach every board viewer), so they are logged, never
 * broadcast or sent to webhooks.
 */
export interface ActivityOnlyMap {
  'webhook.created': { webhook: number };
  'webhook.updated': { webhook: number; fields: string[] };
  'webhook.deleted': { webhook: number };
  'webhook.secret_rotated': { webhook: number };
}

/** Event types that write an activity row (changes to a project's board). */
export type EventActivityVerb = { [T in EventType]: [EventMap[T]['activity']] extends [never] ? never : T }[EventType];
/** Every activity verb: board changes, and the activity-only ones. */
export type ActivityVerb = EventActivityVerb | keyof ActivityOnlyMap;
export type ActivityData<T extends ActivityVerb> = T extends EventType
  ? EventMap[T]['activity']
  : T extends keyof ActivityOnlyMap
    ? ActivityOnlyMap[T]
    : never;

/** The topic kinds (SPEC §6): a project's board, a chat room, a user's own notifications. */
export type TopicKind = 'project' | 'room' | 'user';

/**
 * Who on a topic receives an event: `staff` only project members (and superusers);
 * `everyone` every subscriber (the board's shape); `company` company people too, when the
 * payload's `company` is one of theirs — and when instead its `previous_company` is one of
 * theirs, a `ticket.deleted` removal of the ticket (the ticket left their company).
 *
 * Whatever the type's audience, an event whose payload says `internal: true` (an internal
 * note's comment events) reaches staff only (decision 0037): the audience narrows per event,
 * never widens.
 */
export type Audience = 'staff' | 'everyone' | 'company';

export interface EventInfo {
  topic: TopicKind;
  audience: Audience;
  /** Offered to webhooks (project events only). */
  webhook: boolean;
  /** Said in plain words, for the webhook settings' choices. */
  label: string;
}

/**
 * A project (board) event: on the project's topic, offered to webhooks. Marked free of side
 * effects, so a bundle that imports this module for its types and helpers (the web app's
 * board) can leave the registry out when it reads nothing of it.
 */
/* @__NO_SIDE_EFFECTS__ */
const board = <A extends Audience>(audience: A, label: string) =>
  ({ topic: 'project', audience, webhook: true, label }) as const;

/** Every event type with where it goes; `satisfies` makes a missing or unknown entry a type error. */
export const EVENTS = {
  'project.created': board('staff', 'Project created'),
  'project.updated': board('staff', 'Project settings changed'),
  'member.added': board('staff', 'Member added'),
  'member.updated': board('staff', 'Member role changed'),
  'member.removed': board('staff', 'Member removed'),
  'column.created': board('everyone', 'Column created'),
  'column.updated': board('everyone', 'Column changed'),
  'column.moved': board('everyone', 'Column moved'),
  'column.deleted': board('everyone', 'Column deleted'),
  'field.created': board('everyone', 'Custom field created'),
  'field.updated': board('everyone', 'Custom field changed'),
  'field.moved': board('everyone', 'Custom field moved'),
  'field.deleted': board('everyone', 'Custom field deleted'),
  'tag.created': board('everyone', 'Tag created'),
  'tag.updated': board('everyone', 'Tag changed'),
  'tag.deleted': board('everyone', 'Tag deleted'),
  'ticket.created': board('company', 'Ticket created'),
  'ticket.updated': board('company', 'Ticket changed'),
  'ticket.moved': board('company', 'Ticket moved'),
  'ticket.archived': board('company', 'Ticket archived'),
  'ticket.unarchived': board('company', 'Ticket restored from the archive'),
  'ticket.deleted': board('company', 'Ticket deleted'),
  'checklist.item_created': board('company', 'Checklist item added'),
  'checklist.item_updated': board('company', 'Checklist item changed'),
  'checklist.item_deleted': board('company', 'Checklist item removed'),
  // Staff only: a relation names a ticket at the other end, which may be another company's.
  'relation.created': board('staff', 'Tickets linked'),
  'relation.deleted': board('staff', 'Tickets unlinked'),
  // Staff only, and no activity row (company people read a ticket's activity): time is never theirs.
  'time.entry_created': board('staff', 'Time logged'),
  'time.entry_updated': board('staff', 'Time entry changed'),
  'time.entry_deleted': board('staff', 'Time entry removed'),
  // Company people see their tickets' SLA state on the card; the breach itself is staff news.
  'ticket.sla_breached': board('staff', 'SLA breached'),
  // Company people follow their tickets' visible comments live; internal notes stay with staff.
  'comment.created': board('company', 'Comment added'),
  'comment.updated': board('company', 'Comment edited'),
  'comment.deleted': board('company', 'Comment deleted'),
  'attachment.created': board('staff', 'Attachment added'),
  'attachment.deleted': board('staff', 'Attachment removed'),
  'chat.message': { topic: 'room', audience: 'everyone', webhook: false, label: 'Chat message' },
  'notification.created': { topic: 'user', audience: 'everyone', webhook: false, label: 'Notification' },
  'notification.read': { topic: 'user', audience: 'everyone', webhook: false, label: 'Notifications read' },
} as const satisfies Record<EventType, EventInfo>;

export type WebhookEventType = {
  [T in EventType]: (typeof EVENTS)[T]['webhook'] extends true ? T : never;
}[EventType];
/** The event types a webhook may subscribe to, in registry order. */
export const WEBHOOK_EVENT_TYPES = /* @__PURE__ */ (Object.keys(EVENTS) as EventType[]).filter(
  (t): t is WebhookEventType => EVENTS[t].webhook,
) as [WebhookEventType, ...WebhookEventType[]];

/** Whether a string names a registered event type. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENTS, type);
}

/** An event as delivered: the outbox row of its topic, its data typed by its type. */
export type EventMessage = {
  [T in EventType]: { type: T; topic: string; seq: number; at: string; data: EventPayload<T> };
}[EventType];

/** One activity row as the API lists it, its data typed by its verb. */
export type ActivityEntry = {
  [T in ActivityVerb]: {
    id: number;
    ticket: number | null;
    actor: number | null;
    verb: T;
    data: ActivityData<T>;
    created_at: string;
  };
}[ActivityVerb];

/**
 * Exhaustiveness for a `switch` over event types: `default: return unhandled(event)` fails to
 * compile when a case is missing.
 */
export function unhandled(value: never): never {
  throw new Error(
    `Unhandled event type: ${JSON.stringify((value as { type?: unknown; verb?: unknown })?.type ?? value)}`,
  );
}
