import { describe, expect, it } from 'vitest';
import type { Field, Ticket } from '#lib/api/index.ts';
import { csvHeader, csvRow, DEFAULT_SORT, nextSort, ordering, parsePage, parseSort } from './table-query.ts';

describe('the table query', () => {
  it('reads and writes the sort', () => {
    expect(parseSort('-due_at')).toEqual({ field: 'due_at', desc: true });
    expect(parseSort('number')).toEqual({ field: 'number', desc: false });
    expect(parseSort('title')).toEqual(DEFAULT_SORT);
    expect(parseSort('-field_12')).toEqual({ field: 'field_12', desc: true });
    expect(parseSort('field_x')).toEqual(DEFAULT_SORT);
    expect(parseSort(null)).toEqual(DEFAULT_SORT);
    expect(ordering({ field: 'priority_id', desc: true })).toBe('-priority_id');
  });

  it('flips the sort of the same column and starts another one ascending', () => {
    expect(nextSort({ field: 'number', desc: false }, 'number')).toEqual({ field: 'number', desc: true });
    expect(nextSort({ field: 'number', desc: true }, 'number')).toEqual({ field: 'number', desc: false });
    expect(nextSort({ field: 'number', desc: true }, 'due_at')).toEqual({ field: 'due_at', desc: false });
  });

  it('reads the page', () => {
    expect(parsePage('3')).toBe(3);
    expect(parsePage('0')).toBe(1);
    expect(parsePage('x')).toBe(1);
    expect(parsePage(null)).toBe(1);
  });

  it('writes a ticket as a CSV row with names', () => {
    const ticket = {
      key: 'OPS-7',
      title: 'Printer, "on fire"',
      column: 3,
      status: 'todo',
      priority_id: 4,
      assignees: [5, 6],
      tags: [1],
      company: null,
      due_at: null,
      created_at: '2026-11-22T10:00:00Z',
      updated_at: '2026-11-22T10:05:00Z',
    } as unknown as Ticket;
    const names = {
      columns: new Map([[3, 'To Do']]),
      priorities: new Map([[4, 'Urgent']]),
      people: new Map([[5, 'Ada']]),
      tags: new Map([[1, 'bug']]),
      companies: new Map<number, string>(),
    };
    expect(csvRow(ticket, names)).toEqual([
      'OPS-7',
      'Printer, "on fire"',
      'To Do',
      'todo',
      'Urgent',
      'Ada; #6',
      'bug',
      '',
      '',
      '2026-11-22T10:00:00Z',
      '2026-11-22T10:05:00Z',
    ]);
  });

  it('adds a column per custom field, values as text', () => {
    const fields = [
      { id: 1, project: 1, name: 'Team', type: 'select', options: [{ id: 9, label: 'Red', colour: null }] },
      { id: 2, project: 1, name: 'Owner', type: 'user', options: [] },
      { id: 3, project: 1, name: 'Paid', type: 'checkbox', options: [] },
      { id: 4, project: 1, name: 'Notes', type: 'text', options: [] },
    ].map((f) => ({ ...f, required: false, show_on_card: false, position: 'a0' })) as Field[];
    const ticket = { fields: { '1': 9, '2': 5, '3': true } } as unknown as Ticket;
    const names = {
      columns: new Map<number, string>(),
      priorities: new Map<number, string>(),
      people: new Map([[5, 'Ada']]),
      tags: new Map<number, string>(),
      companies: new Map<number, string>(),
    };
    expect(csvHeader(fields).slice(-4)).toEqual(['Team', 'Owner', 'Paid', 'Notes']);
    expect(csvRow({ ...ticket, assignees: [], tags: [] } as Ticket, names, fields).slice(-4)).toEqual([
      'Red',
      'Ada',
      'Yes',
      '',
    ]);
  });
});
