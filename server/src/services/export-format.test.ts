import { describe, expect, it } from 'vitest';
import { ExportColumn } from './export-format.ts';
import { isOrderKey, keysAfter } from './ordering.ts';

describe('order keys in an imported file', () => {
  it('accepts keys the library writes and refuses one it would fail on later (a key ending in 0)', () => {
    for (const key of keysAfter(null, 30)) expect(isOrderKey(key)).toBe(true);
    expect(isOrderKey('a010')).toBe(false);
    expect(isOrderKey('')).toBe(false);
    const column = { id: 1, name: 'To Do', category: 'todo', wip_limit: null, position: 'a010' };
    const refused = ExportColumn.safeParse(column);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['position']);
    expect(ExportColumn.safeParse({ ...column, position: 'a01V' }).success).toBe(true);
  });
});
