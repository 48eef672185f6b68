import { describe, expect, it } from 'vitest';
import { comparePlaced, neighboursAt, sortedIndex } from './board-order.ts';

describe('card order', () => {
  it('sorts by position in byte order, then by id', () => {
    const cards = [
      { id: 3, position: 'a1' },
      { id: 1, position: 'Zz' },
      { id: 2, position: 'a1' },
      { id: 4, position: 'a0V' },
    ];
    // Upper case sorts before lower case in byte order (the column's C collation).
    expect(cards.toSorted(comparePlaced).map((c) => c.id)).toEqual([1, 4, 2, 3]);
  });

  it('finds where a card belongs among sorted cards', () => {
    const column = [
      { id: 1, position: 'a0' },
      { id: 2, position: 'a2' },
      { id: 3, position: 'a4' },
    ];
    expect(sortedIndex(column, { id: 9, position: 'Z' })).toBe(0);
    expect(sortedIndex(column, { id: 9, position: 'a3' })).toBe(2);
    expect(sortedIndex(column, { id: 9, position: 'b' })).toBe(3);
    expect(sortedIndex([], { id: 9, position: 'a0' })).toBe(0);
  });

  it('names the card above as `after`, else the card below as `before`', () => {
    const column = [{ id: 10 }, { id: 11 }, { id: 12 }];
    // Dropped between 10 and 12: placed after 10, so it ends up just below it.
    expect(neighboursAt(column, 1)).toEqual({ after: 10 });
    expect(neighboursAt(column, 2)).toEqual({ after: 11 });
    // At the top there is no card above: placed before the first one.
    expect(neighboursAt(column, 0)).toEqual({ before: 11 });
    // Alone in the column: neither (the end of an empty column).
    expect(neighboursAt([{ id: 10 }], 0)).toEqual({});
  });
});
