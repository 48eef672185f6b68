import { describe, expect, it } from 'vitest';
import { accentPalette, contrast } from './branding.ts';

describe('contrast', () => {
  it('is 21 for black on white and 1 for a colour on itself', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#4f46e5', '#4f46e5')).toBe(1);
  });
});

describe('accentPalette', () => {
  it('puts white text on a dark accent and ink on a light one', () => {
    expect(accentPalette('#4f46e5').lightText).toBe('#ffffff');
    expect(accentPalette('#facc15').lightText).toBe('#11132a');
  });

  it('lightens a dark accent until it reads on the dark surface, and keeps a light one as it is', () => {
    const navy = accentPalette('#1e3a8a');
    expect(navy.light).toBe('#1e3a8a');
    expect(navy.dark).not.toBe('#1e3a8a');
    expect(contrast(navy.dark, '#1f2229')).toBeGreaterThanOrEqual(4.5);
    expect(accentPalette('#facc15').dark).toBe('#facc15');
  });

  it('falls back to the default accent for anything that is not #rrggbb', () => {
    expect(accentPalette('red').light).toBe('#4f46e5');
    expect(accentPalette('#12345').light).toBe('#4f46e5');
  });
});
