/**
 * Card order on the board, as the server keeps it: within a column, cards are sorted by their
 * fractional-index `position` in byte order (the column's C collation), ties by id. A move
 * names neighbours, never an index (SPEC §5): `after` is the card the moved one lands just
 * below, `before` the card it lands just above.
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

/**
 * The neighbours to send for a card dropped at `index` of `list` (the column as it now looks,
 * the card included): the card above as `after`, else the card below as `before`, else
 * neither (an empty column). One neighbour is enough for the server to place the card, and a
 * second one could only make a concurrent change refuse an otherwise good move.
 */
export function neighboursAt(list: readonly { id: number }[], index: number): { after?: number; before?: number } {
  const above = list[index - 1];
  if (above) return { after: above.id };
  const below = list[index + 1];
  if (below) return { before: below.id };
  return {};
}
