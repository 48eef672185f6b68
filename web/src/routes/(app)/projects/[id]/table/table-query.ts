/**
 * The table view's URL query besides the filters: `sort` (one field of the list API's
 * `ordering`, `-` for descending) and `page`. Pure functions, shared by the load and the page.
 */
import type { Field, Ticket } from '#lib/api/index.ts';
import { fieldText } from '#lib/field-values.ts';

/** The fields the list API can order by (server `TICKET_ORDERING`), as the table's columns show them. */
export const SORTABLE = ['number', 'priority_id', 'due_at', 'created_at', 'updated_at'] as const;
/** One of SORTABLE, or a custom field (`field_<id>`, which the list API orders by too). */
export type SortField = (typeof SORTABLE)[number] | `field_${number}`;

export interface Sort {
  field: SortField;
  desc: boolean;
}

/** The list API's own default: newest first. */
export const DEFAULT_SORT: Sort = Object.freeze({ field: 'created_at', desc: true });
export const PAGE_SIZE = 50;

/** Reads `sort=-due_at`; anything else is the default order. */
export function parseSort(raw: string | null): Sort {
  if (!raw) return DEFAULT_SORT;
  const desc = raw.startsWith('-');
  const field = desc ? raw.slice(1) : raw;
  const known = (SORTABLE as readonly string[]).includes(field) || /^field_\d{1,9}$/.test(field);
  return known ? { field: field as SortField, desc } : DEFAULT_SORT;
}

/** The `ordering` value of a sort (and the `sort` query value). */
export function ordering(sort: Sort): string {
  return `${sort.desc ? '-' : ''}${sort.field}`;
}

/** The sort after clicking a column header: its own sort flips, another column starts ascending. */
export function nextSort(current: Sort, field: SortField): Sort {
  return current.field === field ? { field, desc: !current.desc } : { field, desc: false };
}

/** Reads `page=3`; anything else is page 1. */
export function parsePage(raw: string | null): number {
  const page = raw !== null && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, page);
}

/** Names to show for the ids a ticket refers to. */
export interface Names {
  columns: Map<number, string>;
  priorities: Map<number, string>;
  people: Map<number, string>;
  tags: Map<number, string>;
  companies: Map<number, string>;
}

export const CSV_HEADER = [
  'Key',
  'Title',
  'Column',
  'Status',
  'Priority',
  'Assignees',
  'Tags',
  'Company',
  'Due',
  'Created',
  'Updated',
] as const;

/** The CSV header: the fixed columns, then one per custom field. */
export function csvHeader(fields: readonly Field[] = []): string[] {
  return [...CSV_HEADER, ...fields.map((f) => f.name)];
}

/**
 * One ticket as a CSV row: names rather than ids, dates as ISO 8601 (UTC), lists joined with `; `,
 * then its custom field values as text.
 */
export function csvRow(ticket: Ticket, names: Names, fields: readonly Field[] = []): string[] {
  const name = (map: Map<number, string>, id: number) => map.get(id) ?? `#${id}`;
  return [
    ticket.key,
    ticket.title,
    name(names.columns, ticket.column),
    ticket.status,
    name(names.priorities, ticket.priority_id),
    ticket.assignees.map((id) => name(names.people, id)).join('; '),
    ticket.tags.map((id) => name(names.tags, id)).join('; '),
    ticket.company === null ? '' : name(names.companies, ticket.company),
    ticket.due_at ?? '',
    ticket.created_at,
    ticket.updated_at,
    ...fields.map((f) => fieldText(f, ticket.fields[f.id], (id) => name(names.people, id))),
  ];
}
