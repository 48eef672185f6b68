import { describe, expect, it } from 'vitest';
import type { Activity } from '#lib/api/index.ts';
import { describeActivity, type ActivityNames } from './activity.ts';

const COLUMNS = new Map([
  [1, 'To Do'],
  [2, 'Done'],
]);
const TAGS = new Map([
  [7, 'Bug'],
  [8, 'UI'],
]);
const PRIORITIES = new Map([
  [1, 'Low'],
  [3, 'High'],
]);
const names: ActivityNames = {
  user: (id) => (id === null ? 'Someone' : `User ${id}`),
  column: (id) => COLUMNS.get(id) ?? null,
  tag: (id) => TAGS.get(id) ?? null,
  priority: (id) => PRIORITIES.get(id) ?? null,
};
const row = { id: 1, ticket: 5, actor: 2, created_at: '2025-01-01T00:00:00Z' };

describe('an activity row in words', () => {
  it('names the columns of a move, and what else changed with it', () => {
    const moved: Activity = { ...row, verb: 'ticket.moved', data: { from_column: 1, to_column: 2, position: 'a0' } };
    expect(describeActivity(moved, names)).toBe('moved the ticket from To Do to Done');
    const withPriority: Activity = {
      ...row,
      verb: 'ticket.moved',
      data: { from_column: 1, to_column: 2, position: 'a0', changed: { priority_id: [1, 3], title: ['a', 'b'] } },
    };
    expect(describeActivity(withPriority, names)).toBe(
      'moved the ticket from To Do to Done and changed the priority from Low to High, the title',
    );
  });

  it('says less when a column cannot be named, and marks a move by a column’s deletion', () => {
    const gone: Activity = {
      ...row,
      verb: 'ticket.moved',
      data: { from_column: 9, to_column: 2, position: 'a0', column_deleted: true },
    };
    expect(describeActivity(gone, names)).toBe('moved the ticket to Done when its column was deleted');
    const unknown: Activity = { ...row, verb: 'ticket.moved', data: { from_column: 9, to_column: 10, position: 'a0' } };
    expect(describeActivity(unknown, names)).toBe('moved the ticket');
  });

  it('does not throw on a move row of the older shape', () => {
    const old = { ...row, verb: 'ticket.moved', data: { changed: { column: [1, 2], title: ['a', 'b'] } } };
    // An older row, as the API may still list it before its data migration: not the typed shape.
    expect(describeActivity(JSON.parse(JSON.stringify(old)) as Activity, names)).toBe(
      'moved the ticket and changed the title',
    );
  });

  it('shows tags from → to when every tag can be named', () => {
    const tags: Activity = { ...row, verb: 'ticket.updated', data: { changed: { tags: [[7], [7, 8]] } } };
    expect(describeActivity(tags, names)).toBe('changed the tags from Bug to Bug, UI');
    const cleared: Activity = { ...row, verb: 'ticket.updated', data: { changed: { tags: [[8], []] } } };
    expect(describeActivity(cleared, names)).toBe('changed the tags from UI to none');
    const deleted: Activity = { ...row, verb: 'ticket.updated', data: { changed: { tags: [[99], [7]] } } };
    expect(describeActivity(deleted, names)).toBe('changed the tags');
  });

  it('says when a comment was an internal note (staff read those rows)', () => {
    const note: Activity = { ...row, verb: 'comment.created', data: { comment: 3, parent: null, internal: true } };
    expect(describeActivity(note, names)).toBe('added an internal note');
    const reply: Activity = { ...row, verb: 'comment.created', data: { comment: 4, parent: 3, internal: true } };
    expect(describeActivity(reply, names)).toBe('replied in an internal note');
    const visible: Activity = { ...row, verb: 'comment.created', data: { comment: 5, parent: null } };
    expect(describeActivity(visible, names)).toBe('commented');
    const gone: Activity = { ...row, verb: 'comment.deleted', data: { comment: 3, author: 2, internal: true } };
    expect(describeActivity(gone, names)).toBe('deleted an internal note');
  });

  it('names tags from the names the change recorded when they cannot be named now (issue 13 row 10)', () => {
    const recorded: Activity = {
      ...row,
      verb: 'ticket.updated',
      data: { changed: { tags: [[99], [7, 98]] }, tag_names: { '99': 'Gone', '98': 'Hidden' } },
    };
    expect(describeActivity(recorded, names)).toBe('changed the tags from Gone to Bug, Hidden');
  });

  it('says a verb this build does not know as it is', () => {
    const future = JSON.parse(JSON.stringify({ ...row, verb: 'ticket.split', data: {} })) as Activity;
    expect(describeActivity(future, names)).toBe('ticket split');
  });
});
