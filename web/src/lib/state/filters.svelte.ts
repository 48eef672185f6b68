/**
 * The board and table filters (tag, assignee, priority, company, text), kept in the URL query so
 * a filtered view can be reloaded, bookmarked and shared. One filter of each kind, as the list
 * API takes them (`GET /tickets/?tag=&assignee=&priority_id=&company=&search=`), so the board
 * (which filters the cards it holds) and the table (which asks the server) show the same tickets.
 */

import type { Api, Priority, Project } from '#lib/api/index.ts';

/** The URL query keys of the filters. */
export const FILTER_KEYS = ['tag', 'assignee', 'priority', 'company', 'q'] as const;

export interface Filters {
  tag: number | null;
  assignee: number | null;
  priority: number | null;
  company: number | null;
  /** Free text: matched against the title, the description and the key or number. */
  text: string;
  /** Custom field filters by field id, as the URL and the list API write them (`field_<id>=`). */
  fields: Readonly<Record<string, string>>;
}

export const NO_FILTERS: Filters = Object.freeze({
  tag: null,
  assignee: null,
  priority: null,
  company: null,
  text: '',
  fields: Object.freeze({}),
});

/** `field_<id>` in a URL query or the list API's parameters. */
const FIELD_KEY = /^field_(\d{1,9})$/;

/** The longest text filter the API accepts (`search`, max 200). */
const MAX_TEXT = 200;

function id(raw: string | null): number | null {
  if (raw === null || !/^\d{1,9}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 ? value : null;
}

/** Reads the filters from a URL query; anything malformed counts as no filter. */
export function parseFilters(params: { get(name: string): string | null; keys?(): Iterable<string> }): Filters {
  const fields: Record<string, string> = {};
  for (const key of params.keys?.() ?? []) {
    const match = FIELD_KEY.exec(key);
    const value = (params.get(key) ?? '').trim().slice(0, MAX_TEXT);
    if (match && value) fields[match[1]!] = value;
  }
  return {
    fields,
    tag: id(params.get('tag')),
    assignee: id(params.get('assignee')),
    priority: id(params.get('priority')),
    company: id(params.get('company')),
    text: (params.get('q') ?? '').trim().slice(0, MAX_TEXT),
  };
}

/** True when any filter is set. */
export function hasFilters(filters: Filters): boolean {
  return (
    filters.tag !== null ||
    filters.assignee !== null ||
    filters.priority !== null ||
    filters.company !== null ||
    filters.text !== '' ||
    Object.keys(filters.fields).length > 0
  );
}

/**
 * A copy of `params` with the filters written in (unset ones removed); other keys are kept, and
 * `page` is dropped, since another filter means another set of pages.
 *
 * @example withFilters(url.searchParams, { ...filters, tag: 3 }).toString() // 'tag=3'
 */
export function withFilters(params: { toString(): string }, filters: Filters): URLSearchParams {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a fresh value, never kept in state
  const next = new URLSearchParams(params.toString());
  for (const key of FILTER_KEYS) next.delete(key);
  for (const key of [...next.keys()]) if (FIELD_KEY.test(key)) next.delete(key);
  next.delete('page');
  for (const [id, value] of Object.entries(filters.fields)) if (value) next.set(`field_${id}`, value);
  const values: Record<(typeof FILTER_KEYS)[number], string | number | null> = {
    tag: filters.tag,
    assignee: filters.assignee,
    priority: filters.priority,
    company: filters.company,
    q: filters.text.trim() || null,
  };
  for (const key of FILTER_KEYS) if (values[key] !== null) next.set(key, String(values[key]));
  return next;
}

/** The filters as the ticket list API's query parameters. */
export function filtersToQuery(filters: Filters): Record<string, number | string | undefined> {
  return {
    tag: filters.tag ?? undefined,
    assignee: filters.assignee ?? undefined,
    priority_id: filters.priority ?? undefined,
    company: filters.company ?? undefined,
    search: filters.text || undefined,
    ...Object.fromEntries(Object.entries(filters.fields).map(([id, value]) => [`field_${id}`, value])),
  };
}

/**
 * Whether a card's custom field value passes a filter, as the list API decides it: an option,
 * user or number by id or value, a checkbox by `true`/`false` (no tick counts as false), text by
 * a case-insensitive substring.
 */
function fieldMatches(value: unknown, wanted: string): boolean {
  if (Array.isArray(value)) return value.includes(Number(wanted));
  if (typeof value === 'boolean' || (value === undefined && (wanted === 'true' || wanted === 'false'))) {
    return (value === true) === (wanted === 'true');
  }
  if (typeof value === 'number') return value === Number(wanted);
  if (typeof value === 'string') return value.toLowerCase().includes(wanted.toLowerCase());
  return false;
}

/** What a card is matched on. */
export interface Filterable {
  number: number;
  key: string;
  title: string;
  description: string;
  priority_id: number;
  company: number | null;
  assignees: readonly number[];
  tags: readonly number[];
  fields: Readonly<Record<string, unknown>>;
}

/** A number searched for as `42` or `OPS-42`, as the server's search reads it. */
function searchedNumber(text: string): number | null {
  const match = /^(?:[A-Za-z][A-Za-z0-9]*-)?(\d{1,9})$/.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * A predicate for the cards these filters let through, the same rules as the list API:
 * case-insensitive text in the title or description, or the card's number (`42`, `OPS-42`).
 *
 * @example board.tickets.filter(ticketMatcher(parseFilters(url.searchParams)))
 */
export function ticketMatcher(filters: Filters): (ticket: Filterable) => boolean {
  const text = filters.text.toLowerCase();
  const number = text ? searchedNumber(text) : null;
  const fields = Object.entries(filters.fields);
  return (ticket) =>
    fields.every(([id, wanted]) => fieldMatches(ticket.fields[id], wanted)) &&
    (filters.tag === null || ticket.tags.includes(filters.tag)) &&
    (filters.assignee === null || ticket.assignees.includes(filters.assignee)) &&
    (filters.priority === null || ticket.priority_id === filters.priority) &&
    (filters.company === null || ticket.company === filters.company) &&
    (text === '' ||
      ticket.title.toLowerCase().includes(text) ||
      ticket.description.toLowerCase().includes(text) ||
      ticket.number === number);
}

/** What the filter bar offers besides tags and members, read where a page loads. */
export interface FilterOptions {
  priorities: Priority[];
  companies: { id: number; name: string }[];
}

/**
 * The priorities and the project's companies for the filter bar. Company names come from
 * `GET /companies/` where the caller may list them; otherwise a company shows by its number, and
 * a failed read of either list leaves that filter empty rather than failing the page.
 */
export async function loadFilterOptions(
  api: Pick<Api, 'priorities' | 'companies'>,
  project: Project,
): Promise<FilterOptions> {
  const [priorities, companies] = await Promise.all([
    api.priorities(),
    project.companies.length
      ? api.companies().then(
          (page) => page.results,
          () => [],
        )
      : Promise.resolve([]),
  ]);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup
  const names = new Map(companies.map((c) => [c.id, c.name]));
  return {
    priorities,
    companies: project.companies.map((id) => ({ id, name: names.get(id) ?? `Company ${id}` })),
  };
}
