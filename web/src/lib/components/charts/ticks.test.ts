import { describe, expect, it } from 'vitest';
import { niceTicks } from './ticks.ts';

describe('niceTicks (issue 13 row 9)', () => {
  it('steps by 1, 2 or 5 times a power of ten, from 0 to at or above the largest value', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(10)).toEqual([0, 5, 10]);
    expect(niceTicks(13)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(130)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(999)).toEqual([0, 500, 1000]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });

  it('keeps whole numbers for small counts and an axis for nothing', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(2)).toEqual([0, 1, 2]);
    expect(niceTicks(2.5)).toEqual([0, 1, 2, 3]);
  });

  it('never gives more than the ticks asked for', () => {
    for (let max = 0; max <= 2000; max += 7) {
      const ticks = niceTicks(max);
      expect(ticks.length).toBeLessThanOrEqual(5);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
      const step = ticks[1]!;
      expect(String(step)).toMatch(/^(1|2|5)0*$/);
    }
  });
});
