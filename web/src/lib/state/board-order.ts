/**
 * Card order on the board, as the server keeps it: within a column, cards are sorted by their
 * fractional-index `position` in byte order (the column's C collation), ties by id. Where a
 * drop lands, in neighbours, is `board-drop.ts`.
 */

export interface Placed {
  id: number;
  position: string;
}

/** Byte order of two keys (the keys are ASCII, so UTF-16 order is byte order), then id. */
export function comparePlaced(a: Placed, b: Placed): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return a.id - b.id;
}

/** The index at which `card` belongs in `list` (sorted by `comparePlaced`, `card` not in it). */
export function sortedIndex(list: readonly Placed[], card: Placed): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comparePlaced(list[mid]!, card) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
