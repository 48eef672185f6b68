/**
 * Light, dark, or the system's: the user's pick, kept in a cookie so the server renders <html>
 * with it (`hooks.server.ts`) and the page never flashes the other theme.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = 'theme';

export function parseTheme(value: string | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : 'system';
}

/** The theme picker's state (browser side): reads what the server rendered, writes the cookie. */
export class ThemeChoice {
  #theme = $state<Theme>('system');

  constructor() {
    if (typeof document !== 'undefined') this.#theme = parseTheme(document.documentElement.dataset.theme);
  }

  get theme(): Theme {
    return this.#theme;
  }

  /** The next theme in the cycle system → light → dark → system. */
  get next(): Theme {
    return THEMES[(THEMES.indexOf(this.#theme) + 1) % THEMES.length]!;
  }

  set(theme: Theme): void {
    this.#theme = theme;
    document.documentElement.dataset.theme = theme;
    document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=31536000; samesite=lax`;
  }
}
