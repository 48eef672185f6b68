/**
 * Where a dropped card lands, in the terms of a move: a move names neighbours, never an index
 * (SPEC §5): `after` is the card the moved one lands just below, `before` the card it lands just
 * above. Used by the drag handlers only, so it is loaded with them (decision 0061).
 */

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

/**
 * A column's full card list after a drag changed the part of it the drag library sees (a filter
 * hides some cards, and a long column renders only a window of them): the `seen` cards in their
 * new order (`shown`), each card the library did not see kept just above the seen card it was
 * above before (or at the end when none is left below it). A seen card missing from `shown` has
 * left the column. `dragged` (the card in the user's hand) never anchors an unseen card, which
 * therefore stays where it was instead of travelling with it. A move then names its neighbours
 * in this full list, so the server places the card exactly where it is shown.
 *
 * @example mergeShown([h1, a, h2, b], [b, a], (c) => c === a || c === b) // [h1, b, h2, a]
 */
export function mergeShown<T extends { id: number }>(
  full: readonly T[],
  shown: readonly T[],
  seen: (card: T) => boolean,
  dragged: number | null = null,
): T[] {
  const shownIds = new Set(shown.map((c) => c.id));
  // Walk up from the bottom, so each unseen card learns the next anchor below it.
  const anchored = new Map<number | null, T[]>();
  let anchor: number | null = null;
  for (let i = full.length - 1; i >= 0; i--) {
    const card = full[i]!;
    if (shownIds.has(card.id)) {
      if (card.id !== dragged) anchor = card.id;
    } else if (!seen(card)) {
      const group = anchored.get(anchor);
      if (group) group.unshift(card);
      else anchored.set(anchor, [card]);
    }
  }
  const merged: T[] = [];
  for (const card of shown) {
    merged.push(...(anchored.get(card.id) ?? []), card);
  }
  merged.push(...(anchored.get(null) ?? []));
  return merged;
}
