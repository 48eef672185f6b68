/**
 * The instance's branding (`GET /settings/`, SPEC §8) and the accent colours derived from it.
 * The accent is chosen by an admin, so the text on it and its dark-theme variant are computed to
 * stay readable (WCAG 2 contrast), not assumed.
 */
import type { Branding } from '#lib/api/index.ts';

export const DEFAULT_BRANDING: Branding = {
  site_name: 'Laneway',
  accent_colour: '#4f46e5',
  logo_url: null,
  favicon_url: null,
  updated_at: null,
};

type Rgb = [number, number, number];

const WHITE: Rgb = [255, 255, 255];
/**
 * Black, not a softer ink: for any colour, white or black reaches at least 4.58:1 (the worst case
 * is a mid-tone where both are equal), while a dark grey can leave both under 4.5:1.
 */
const BLACK: Rgb = [0, 0, 0];
/** The dark theme's surface (app.css `--surface`), which an accent must stand out against. */
const DARK_SURFACE: Rgb = [31, 34, 41];

function parseHex(hex: string): Rgb | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return match ? [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)] : null;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance. */
function luminance([r, g, b]: Rgb): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [x, y] = [parseHex(a), parseHex(b)];
  if (!x || !y) return 1;
  const [hi, lo] = [luminance(x), luminance(y)].sort((m, n) => n - m) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** White or black, whichever reads better on `background` (an accent, an avatar's colour). */
export function textOn(background: string): string {
  return contrast(background, toHex(WHITE)) >= contrast(background, toHex(BLACK)) ? toHex(WHITE) : toHex(BLACK);
}

export interface AccentPalette {
  light: string;
  lightText: string;
  dark: string;
  darkText: string;
}

/**
 * The accent for the light and the dark theme, each with the text colour for buttons on it.
 * The dark variant is the accent lightened just enough to reach 4.5:1 against the dark surface
 * (links and focus rings are drawn in it). An invalid colour gives the default palette.
 */
export function accentPalette(hex: string): AccentPalette {
  const base = parseHex(hex) ?? parseHex(DEFAULT_BRANDING.accent_colour)!;
  const light = toHex(base);
  let dark = light;
  for (let t = 0; t <= 1 && contrast(dark, toHex(DARK_SURFACE)) < 4.5; t += 0.05) dark = toHex(mix(base, WHITE, t));
  return { light, lightText: textOn(light), dark, darkText: textOn(dark) };
}

/**
 * A tab title: the page's own parts, then the instance's name (issue 13 row 7).
 *
 * @example pageTitle(['Admin'], 'Acme Desk') // 'Admin · Acme Desk'
 */
export function pageTitle(parts: readonly (string | null | undefined)[], siteName: string): string {
  return [...parts, siteName.trim() || DEFAULT_BRANDING.site_name].filter(Boolean).join(' · ');
}
