import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutOf, shortcutsIn, type ShortcutId } from './shortcuts.ts';

/** A stand-in for an element: what `closest` would find above it. */
function target(inside: 'input' | 'dialog' | 'page') {
  return {
    isContentEditable: false,
    closest: (selector: string) =>
      (inside === 'input' && selector.includes('input')) || (inside === 'dialog' && selector.includes('dialog'))
        ? {}
        : null,
  } as unknown as EventTarget;
}

function press(
  key: string,
  at: 'input' | 'dialog' | 'page' = 'page',
  mods: { ctrl?: boolean; meta?: boolean; alt?: boolean } = {},
) {
  return {
    key,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    altKey: mods.alt ?? false,
    target: target(at),
    defaultPrevented: false,
    isComposing: false,
  };
}

const ALL = Object.keys(SHORTCUTS) as ShortcutId[];
const BOARD: ShortcutId[] = ['newCard', 'edit', 'assign', 'movePrevious', 'moveNext', 'focusDown'];

describe('shortcutOf', () => {
  it('maps keys to the shortcuts asked for', () => {
    expect(shortcutOf(press(']'), BOARD)).toBe('moveNext');
    expect(shortcutOf(press('['), BOARD)).toBe('movePrevious');
    expect(shortcutOf(press('c'), BOARD)).toBe('newCard');
    expect(shortcutOf(press('ArrowDown'), BOARD)).toBe('focusDown');
    expect(shortcutOf(press('?'), ['help'])).toBe('help');
    // Not asked for: not this handler's.
    expect(shortcutOf(press('?'), BOARD)).toBeNull();
  });

  it('ignores single keys while typing, in a dialog, or with Ctrl, Cmd or Alt held', () => {
    for (const key of ['c', ']', '/', '?', 'a', 'ArrowDown']) {
      expect(shortcutOf(press(key, 'input'), ALL), key).toBeNull();
      expect(shortcutOf(press(key, 'dialog'), ALL), key).toBeNull();
      expect(shortcutOf(press(key, 'page', { ctrl: true }), ALL), key).toBeNull();
      expect(shortcutOf(press(key, 'page', { alt: true }), ALL), key).toBeNull();
    }
    expect(shortcutOf(press('C'), BOARD)).toBeNull();
  });

  it('takes Ctrl-K and Cmd-K anywhere, typing or not', () => {
    expect(shortcutOf(press('k', 'input', { ctrl: true }), ALL)).toBe('palette');
    expect(shortcutOf(press('K', 'dialog', { meta: true }), ALL)).toBe('palette');
    expect(shortcutOf(press('k'), ['palette'])).toBeNull();
  });
});

describe('the registry', () => {
  it('gives each key one meaning per scope, so the ? list and the handlers agree', () => {
    for (const scope of ['Everywhere', 'Board', 'Ticket page'] as const) {
      const keys = shortcutsIn(scope).flatMap((s) => s.keys);
      expect(new Set(keys).size, scope).toBe(keys.length);
    }
  });
});
