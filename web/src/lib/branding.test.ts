import { describe, expect, it } from 'vitest';
import { accentPalette, contrast, pageTitle, textOn } from './branding.ts';

describe('contrast', () => {
  it('is 21 for black on white and 1 for a colour on itself', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#4f46e5', '#4f46e5')).toBe(1);
  });
});

describe('accentPalette', () => {
  it('puts white text on a dark accent and black on a light one', () => {
    expect(accentPalette('#4f46e5').lightText).toBe('#ffffff');
    expect(accentPalette('#facc15').lightText).toBe('#000000');
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

describe('textOn', () => {
  it('reaches 4.5:1 on every avatar colour the server hands out, and on mid-tones where a dark grey would not', () => {
    // server/src/services/users.ts AVATAR_COLOURS, plus the grey where white and black are equal.
    const colours = ['#ef4444', '#f97316', '#eab308', '#22c55e', '#14b8a6', '#3b82f6', '#8b5cf6', '#ec4899', '#767676'];
    for (const colour of colours) expect(contrast(textOn(colour), colour), colour).toBeGreaterThanOrEqual(4.5);
  });
});

describe('pageTitle (issue 13 row 7)', () => {
  it('ends with the instance name, skipping empty parts', () => {
    expect(pageTitle(['SD-8', 'Printer on fire'], 'Acme Desk')).toBe('SD-8 · Printer on fire · Acme Desk');
    expect(pageTitle([null, 'Admin', ''], 'Acme Desk')).toBe('Admin · Acme Desk');
    expect(pageTitle([], '  ')).toBe('Laneway');
  });
});
