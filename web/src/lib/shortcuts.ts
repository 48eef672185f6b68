/**
 * Keyboard shortcuts, like Linear's and Trello's: one registry of key → action and description,
 * read both by the pages that handle the keys and by the `?` dialog that lists them, so the list
 * cannot drift from what the keys do.
 *
 * Single keys never fire while the user is typing (an input, a textarea, a select, an editable
 * element) or inside a dialog (the drawer, the palette), nor with Ctrl, Cmd or Alt held; `Mod`
 * shortcuts (Ctrl, or Cmd on a Mac) fire anywhere.
 */

/** Where a shortcut works; the `?` dialog groups them so. */
export type ShortcutScope = 'Everywhere' | 'Board' | 'Ticket page';

export interface Shortcut {
  /** `KeyboardEvent.key` values; `Mod+k` is Ctrl+K or Cmd+K. */
  keys: readonly string[];
  /** How the `?` dialog writes the keys. */
  label: string;
  description: string;
  scope: ShortcutScope;
}

export const SHORTCUTS = {
  palette: { keys: ['Mod+k'], label: 'Ctrl K / ⌘ K', description: 'Search everywhere', scope: 'Everywhere' },
  search: { keys: ['/'], label: '/', description: 'Search everywhere', scope: 'Everywhere' },
  help: { keys: ['?'], label: '?', description: 'Show these shortcuts', scope: 'Everywhere' },
  newCard: { keys: ['c'], label: 'C', description: 'New card in the focused (or first) column', scope: 'Board' },
  edit: { keys: ['e'], label: 'E', description: 'Open the focused card', scope: 'Board' },
  assign: { keys: ['a'], label: 'A', description: 'Assign the focused card to yourself', scope: 'Board' },
  movePrevious: {
    keys: ['['],
    label: '[',
    description: 'Move the focused card to the previous column',
    scope: 'Board',
  },
  moveNext: { keys: [']'], label: ']', description: 'Move the focused card to the next column', scope: 'Board' },
  focusUp: { keys: ['ArrowUp', 'k'], label: '↑ / K', description: 'Focus the card above', scope: 'Board' },
  focusDown: { keys: ['ArrowDown', 'j'], label: '↓ / J', description: 'Focus the card below', scope: 'Board' },
  focusLeft: {
    keys: ['ArrowLeft', 'h'],
    label: '← / H',
    description: 'Focus a card in the previous column',
    scope: 'Board',
  },
  focusRight: {
    keys: ['ArrowRight', 'l'],
    label: '→ / L',
    description: 'Focus a card in the next column',
    scope: 'Board',
  },
  editDescription: { keys: ['e'], label: 'E', description: 'Edit the description', scope: 'Ticket page' },
  assignSelf: { keys: ['a'], label: 'A', description: 'Assign the ticket to yourself', scope: 'Ticket page' },
} as const satisfies Record<string, Shortcut>;

export type ShortcutId = keyof typeof SHORTCUTS;

/** The shortcuts of a scope, in registry order, for the `?` dialog. */
export function shortcutsIn(scope: ShortcutScope): (Shortcut & { id: ShortcutId })[] {
  return (Object.entries(SHORTCUTS) as [ShortcutId, Shortcut][])
    .filter(([, s]) => s.scope === scope)
    .map(([id, s]) => ({ id, ...s }));
}

/** Whether keys typed at `target` are text (an input, textarea, select or editable element). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable) return true;
  return element.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** Whether `target` is inside an open dialog, where the page's own shortcuts must not act. */
function inDialog(target: EventTarget | null): boolean {
  return !!target && typeof (target as Element).closest === 'function'
    ? (target as Element).closest('dialog, [role="dialog"], [aria-modal="true"]') !== null
    : false;
}

/**
 * The shortcut a key press means among `ids`, or null: nothing while typing or in a dialog
 * (Mod shortcuts aside), nothing with a modifier held that the shortcut does not name.
 *
 * @example const id = shortcutOf(event, ['newCard', 'moveNext']); if (id) handlers[id]();
 */
export function shortcutOf<I extends ShortcutId>(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'defaultPrevented' | 'isComposing'>,
  ids: readonly I[],
): I | null {
  if (event.defaultPrevented || event.isComposing) return null;
  const mod = event.ctrlKey || event.metaKey;
  for (const id of ids) {
    for (const key of SHORTCUTS[id].keys as readonly string[]) {
      if (key.startsWith('Mod+')) {
        if (mod && !event.altKey && event.key.toLowerCase() === key.slice(4)) return id;
        continue;
      }
      if (mod || event.altKey || isTyping(event.target) || inDialog(event.target)) continue;
      if (event.key === key) return id;
    }
  }
  return null;
}
