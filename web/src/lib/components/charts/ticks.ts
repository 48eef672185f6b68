/**
 * Round numbers for a chart's value axis (issue 13 row 9): steps of 1, 2 or 5 times a power of
 * ten, as people count (Heckbert's "nice numbers"), whole numbers only, since the charts count
 * tickets. The last tick is at or above the largest value, so it is the axis's top.
 *
 * @example niceTicks(7) // [0, 2, 4, 6, 8]
 * @example niceTicks(130) // [0, 50, 100, 150]
 */
export function niceTicks(max: number, most = 5): number[] {
  const top = Math.max(1, Math.ceil(max));
  // The smallest round step that needs at most `most` ticks (0 included) to reach the top.
  const rough = top / Math.max(1, most - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  const count = Math.ceil(top / step);
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}
