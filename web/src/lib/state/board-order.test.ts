import { describe, expect, it } from 'vitest';
import { comparePlaced, sortedIndex } from './board-order.ts';

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
});
