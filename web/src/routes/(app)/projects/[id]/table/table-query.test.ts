import { describe, expect, it } from 'vitest';
import type { Ticket } from '#lib/api/index.ts';
import { csvRow, DEFAULT_SORT, nextSort, ordering, parsePage, parseSort } from './table-query.ts';

describe('the table query', () => {
  it('reads and writes the sort', () => {
    expect(parseSort('-due_at')).toEqual({ field: 'due_at', desc: true });
    expect(parseSort('number')).toEqual({ field: 'number', desc: false });
    expect(parseSort('title')).toEqual(DEFAULT_SORT);
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
});
