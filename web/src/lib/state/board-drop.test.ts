import { describe, expect, it } from 'vitest';
import { mergeShown, neighboursAt } from './board-drop.ts';

describe('where a drop lands', () => {
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

describe('merging a filtered or windowed column back after a drag', () => {
  const card = (id: number, shown: boolean) => ({ id, shown });
  const isShown = (c: { shown: boolean }) => c.shown;
  const ids = (list: { id: number }[]) => list.map((c) => c.id);
  // h = hidden by the filter, s = shown.
  const [h1, s2, h3, s4, h5, s6] = [
    card(1, false),
    card(2, true),
    card(3, false),
    card(4, true),
    card(5, false),
    card(6, true),
  ];
  const full = [h1, s2, h3, s4, h5, s6];

  it('keeps every hidden card above the shown card it was above', () => {
    // s6 dragged to the top of the shown cards.
    expect(ids(mergeShown(full, [s6, s2, s4], isShown, 6))).toEqual([6, 1, 2, 3, 4, 5]);
    expect(neighboursAt(mergeShown(full, [s6, s2, s4], isShown, 6), 0)).toEqual({ before: 1 });
  });

  it('places a card dropped between two shown cards just below the upper one', () => {
    // s2 dropped between s4 and s6: it lands right after s4, above h5 (which stays above s6).
    const merged = mergeShown(full, [s4, s2, s6], isShown, 2);
    expect(ids(merged)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(neighboursAt(merged, merged.indexOf(s2))).toEqual({ after: 4 });
  });

  it('drops a shown card that left for another column and keeps the hidden ones', () => {
    expect(ids(mergeShown(full, [s2, s6], isShown, 4))).toEqual([1, 2, 3, 5, 6]);
  });

  it('takes in a card from another column, and keeps trailing hidden cards at the end', () => {
    const other = card(9, true);
    const column = [s2, h3];
    expect(ids(mergeShown(column, [s2, other], isShown, 9))).toEqual([2, 9, 3]);
    expect(ids(mergeShown([h3], [other], isShown, 9))).toEqual([9, 3]);
  });

  it('changes nothing when the shown order is unchanged', () => {
    expect(ids(mergeShown(full, [s2, s4, s6], isShown))).toEqual(ids(full));
  });
});
