import type { Activity, ProjectRole } from '#lib/api/index.ts';
import { unknownEvent, type Changed, type TicketMovedActivity } from '#lib/realtime/protocol.ts';

/** What the activity log can name: the ticket state's people, columns, tags and priorities. */
export interface ActivityNames {
  /** A person's display name (`Someone` for null). */
  user(id: number | null): string;
  /** A column's name, or null when it is not known (deleted, or not readable). */
  column(id: number): string | null;
  tag(id: number): string | null;
  priority(id: number): string | null;
}

const FIELD_NAMES: Record<string, string> = {
  title: 'the title',
  description: 'the description',
  priority_id: 'the priority',
  company: 'the company',
  contact: 'the contact',
  due_at: 'the due date',
  column: 'the column',
  assignees: 'the assignees',
  tags: 'the tags',
};

const ROLE_NAMES: Record<ProjectRole, string> = {
  superadmin: 'a superadmin',
  admin: 'an admin',
  manager: 'a manager',
  user: 'a user',
};

/** A list of ids as names, or null when one of them cannot be named (or the value is not a list of ids). */
function namesOf(value: unknown, name: (id: number) => string | null): string | null {
  if (!Array.isArray(value)) return null;
  const names: string[] = [];
  for (const id of value) {
    const known = typeof id === 'number' ? name(id) : null;
    if (known === null) return null;
    names.push(known);
  }
  return names.length ? names.join(', ') : 'none';
}

/** One changed field in words, with its old and new value where they can be named cheaply. */
function fieldChange(field: string, [before, after]: [unknown, unknown], names: ActivityNames): string {
  const label = FIELD_NAMES[field] ?? field;
  let from: string | null = null;
  let to: string | null = null;
  if (field === 'priority_id') {
    from = typeof before === 'number' ? names.priority(before) : null;
    to = typeof after === 'number' ? names.priority(after) : null;
  } else if (field === 'tags') {
    from = namesOf(before, names.tag);
    to = namesOf(after, names.tag);
  }
  return from !== null && to !== null ? `${label} from ${from} to ${to}` : label;
}

/**
 * The fields of a change in words (`column`, which a move says itself, left out when `moved`).
 * Rows are the server's own; one of an older shape is read as far as it goes, never thrown on.
 */
function changes(changed: Changed | undefined, names: ActivityNames, moved = false): string[] {
  return Object.entries(changed ?? {})
    .filter(([field, values]) => Array.isArray(values) && !(moved && field === 'column'))
    .map(([field, values]) => fieldChange(field, values, names));
}

/** A move in words: from which column to which (as far as they can be named), and what else changed with it. */
function describeMove(data: TicketMovedActivity, names: ActivityNames): string {
  const from = names.column(data.from_column);
  const to = names.column(data.to_column);
  let text =
    from && to ? `moved the ticket from ${from} to ${to}` : to ? `moved the ticket to ${to}` : 'moved the ticket';
  if (data.column_deleted) text += ' when its column was deleted';
  const others = changes(data.changed, names, true);
  return others.length ? `${text} and changed ${others.join(', ')}` : text;
}

/**
 * One activity row in words, after the actor's name ("moved the ticket from To Do to Done").
 * Exhaustive over the registry's activity verbs; a verb this build does not know is said as it is.
 */
export function describeActivity(entry: Activity, names: ActivityNames): string {
  const verb: string = entry.verb;
  switch (entry.verb) {
    case 'ticket.created':
      return 'created the ticket';
    case 'ticket.updated': {
      // The names the change recorded stand in for tags the reader cannot name now.
      const recorded = entry.data.tag_names ?? {};
      const named = { ...names, tag: (id: number) => names.tag(id) ?? recorded[String(id)] ?? null };
      const changed = changes(entry.data.changed, named);
      return changed.length ? `changed ${changed.join(', ')}` : 'updated the ticket';
    }
    case 'ticket.moved':
      return describeMove(entry.data, names);
    case 'ticket.archived':
      return 'archived the ticket';
    case 'ticket.unarchived':
      return 'restored the ticket from the archive';
    case 'ticket.deleted':
      return 'deleted the ticket';
    case 'comment.created':
      if (entry.data.internal) return entry.data.parent ? 'replied in an internal note' : 'added an internal note';
      return entry.data.parent ? 'replied to a comment' : 'commented';
    case 'comment.updated':
      return entry.data.internal ? 'edited an internal note' : 'edited a comment';
    case 'comment.deleted':
      return entry.data.internal ? 'deleted an internal note' : 'deleted a comment';
    case 'attachment.created':
      return `attached ${entry.data.filename || 'a file'}`;
    case 'attachment.deleted':
      return `removed ${entry.data.filename || 'a file'}`;
    // The project's own changes (a ticket's log does not list them, but the verbs are the same).
    case 'project.created':
      return 'created the project';
    case 'project.updated':
      return 'changed the project’s settings';
    case 'member.added':
      return `added ${names.user(entry.data.user)} as ${ROLE_NAMES[entry.data.role]}`;
    case 'member.updated':
      return `made ${names.user(entry.data.user)} ${ROLE_NAMES[entry.data.role]}`;
    case 'member.removed':
      return `removed ${names.user(entry.data.user)} from the project`;
    case 'column.created':
      return `added the column ${names.column(entry.data.column) ?? ''}`.trimEnd();
    case 'column.updated':
      return `changed the column ${names.column(entry.data.column) ?? ''}`.trimEnd();
    case 'column.moved':
      return `moved the column ${names.column(entry.data.column) ?? ''}`.trimEnd();
    case 'column.deleted':
      return `deleted the column ${entry.data.name}`;
    case 'tag.created':
      return `added the tag ${names.tag(entry.data.tag) ?? ''}`.trimEnd();
    case 'tag.updated':
      return `changed the tag ${names.tag(entry.data.tag) ?? ''}`.trimEnd();
    case 'tag.deleted':
      return `deleted the tag ${entry.data.name}`;
    case 'field.created':
      return `added the field ${entry.data.name}`;
    case 'field.updated':
      return 'changed a custom field';
    case 'field.moved':
      return 'moved a custom field';
    case 'field.deleted':
      return `deleted the field ${entry.data.name}`;
    case 'checklist.item_created':
      return `added “${entry.data.text}” to the checklist`;
    case 'checklist.item_updated': {
      const done = entry.data.changed.done?.[1];
      return done === true
        ? 'ticked a checklist item'
        : done === false
          ? 'unticked a checklist item'
          : 'edited a checklist item';
    }
    case 'checklist.item_deleted':
      return `removed “${entry.data.text}” from the checklist`;
    case 'relation.created':
      return `linked this ticket (${entry.data.kind.replace(/_/g, ' ')})`;
    case 'relation.deleted':
      return `removed a link (${entry.data.kind.replace(/_/g, ' ')})`;
    case 'webhook.created':
      return 'added a webhook';
    case 'webhook.updated':
      return 'changed a webhook';
    case 'webhook.deleted':
      return 'deleted a webhook';
    case 'webhook.secret_rotated':
      return "rotated a webhook's secret";
    default:
      unknownEvent(entry);
      return verb.replace(/[._]/g, ' ');
  }
}
