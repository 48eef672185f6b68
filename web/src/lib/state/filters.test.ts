import { describe, expect, it } from 'vitest';
import { filtersToQuery, hasFilters, NO_FILTERS, parseFilters, ticketMatcher, withFilters } from './filters.svelte.ts';

const ticket = {
  number: 42,
  key: 'OPS-42',
  title: 'Printer on fire',
  description: 'The one on the **second** floor',
  priority_id: 3,
  company: 2,
  assignees: [5, 9],
  tags: [1, 7],
  fields: { '3': 11, '4': [21, 22], '5': true, '6': 'Needs a ladder' },
};

describe('filters in the URL', () => {
  it('reads every filter, and ignores malformed ones', () => {
    expect(parseFilters(new URLSearchParams('tag=3&assignee=5&priority=4&company=2&q=%20fire%20'))).toEqual({
      tag: 3,
      assignee: 5,
      priority: 4,
      company: 2,
      text: 'fire',
      fields: {},
    });
    expect(parseFilters(new URLSearchParams('tag=x&assignee=-1&priority=0&company=1e3&q='))).toEqual(NO_FILTERS);
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, text: 'a' })).toBe(true);
  });

  it('writes them back, keeping other keys and dropping the page', () => {
    const params = withFilters(new URLSearchParams('sort=-due_at&page=3&tag=1&q=old'), {
      ...NO_FILTERS,
      tag: 2,
      text: ' new ',
    });
    expect(params.toString()).toBe('sort=-due_at&tag=2&q=new');
    expect(parseFilters(withFilters(new URLSearchParams(), { ...NO_FILTERS, company: 8 })).company).toBe(8);
  });

  it('keeps custom field filters as field_<id> keys, replacing the old ones', () => {
    const params = withFilters(new URLSearchParams('field_3=1&field_9=x&sort=title'), {
      ...NO_FILTERS,
      fields: { '3': '11', '4': '21' },
    });
    expect(params.toString()).toBe('sort=title&field_3=11&field_4=21');
    expect(parseFilters(params).fields).toEqual({ '3': '11', '4': '21' });
    expect(parseFilters(new URLSearchParams('field_x=1&field_3=')).fields).toEqual({});
    expect(filtersToQuery({ ...NO_FILTERS, fields: { '3': '11' } })).toMatchObject({ field_3: '11' });
    expect(hasFilters({ ...NO_FILTERS, fields: { '3': '11' } })).toBe(true);
  });

  it('maps to the list API parameters', () => {
    expect(filtersToQuery({ tag: 1, assignee: 2, priority: 3, company: 4, text: 'x', fields: {} })).toEqual({
      tag: 1,
      assignee: 2,
      priority_id: 3,
      company: 4,
      search: 'x',
    });
    expect(Object.values(filtersToQuery(NO_FILTERS)).every((v) => v === undefined)).toBe(true);
  });
});

describe('matching cards', () => {
  const matches = (query: string) => ticketMatcher(parseFilters(new URLSearchParams(query)))(ticket);

  it('lets everything through without filters', () => {
    expect(matches('')).toBe(true);
  });

  it('matches each kind of filter, all of them at once', () => {
    expect(matches('tag=7')).toBe(true);
    expect(matches('tag=2')).toBe(false);
    expect(matches('assignee=9')).toBe(true);
    expect(matches('assignee=6')).toBe(false);
    expect(matches('priority=3')).toBe(true);
    expect(matches('priority=1')).toBe(false);
    expect(matches('company=2')).toBe(true);
    expect(matches('company=3')).toBe(false);
    expect(matches('tag=1&assignee=5&priority=3&company=2&q=printer')).toBe(true);
    expect(matches('tag=1&assignee=5&priority=3&company=2&q=scanner')).toBe(false);
  });

  it('matches custom fields as the list API does: option, options, checkbox, text', () => {
    expect(matches('field_3=11')).toBe(true);
    expect(matches('field_3=12')).toBe(false);
    expect(matches('field_4=22')).toBe(true);
    expect(matches('field_4=23')).toBe(false);
    expect(matches('field_5=true')).toBe(true);
    expect(matches('field_5=false')).toBe(false);
    expect(matches('field_8=false')).toBe(true);
    expect(matches('field_6=LADDER')).toBe(true);
    expect(matches('field_7=anything')).toBe(false);
  });

  it('matches text in the title or description, case-insensitively, or the number', () => {
    expect(matches('q=PRINTER')).toBe(true);
    expect(matches('q=second')).toBe(true);
    expect(matches('q=42')).toBe(true);
    expect(matches('q=ops-42')).toBe(true);
    expect(matches('q=43')).toBe(false);
    expect(matches('q=scanner')).toBe(false);
  });
});
