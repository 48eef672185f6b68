import { tick } from 'svelte';
import type { BoardState } from '#lib/state/board.svelte.ts';
import type { ShortcutId } from '#lib/shortcuts.ts';
import { mayEditTicket, type EditScope } from '#lib/ticket-rules.ts';

/**
 * What the board's shortcuts do (lib/shortcuts.ts; `?` lists them), once the page has decided a
 * key is one of them. Loaded on the first such key (decision 0061): the page prevents the key's
 * default at once and hands it here, in order, so a key pressed before this arrives still acts.
 */
export interface BoardKeys {
  board: BoardState;
  /** The element holding the columns. */
  element: HTMLElement | undefined;
  /** The card holding the focus, when the key was pressed. */
  card: HTMLElement | null;
  me: number | undefined;
  moveScope: EditScope;
  canAdd: boolean;
  canAssign: boolean;
  /** Says what the shortcut did, for screen readers. */
  say: (message: string) => void;
}

const cardsIn = (column: HTMLElement) => [...column.querySelectorAll<HTMLElement>('[data-testid="card"]')];

function focusCard(card: HTMLElement | undefined): void {
  if (!card) return;
  card.querySelector<HTMLElement>('a')?.focus();
  card.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

/** Acts on one board shortcut. */
export async function runShortcut(id: ShortcutId, keys: BoardKeys): Promise<void> {
  const { board, element, card, say } = keys;
  const columns = [...(element?.querySelectorAll<HTMLElement>('[data-testid="column"]') ?? [])];
  if (id.startsWith('focus')) {
    // Up and down within a column, left and right to the nearest card of the next column with cards.
    if (!card) return focusCard(columns.flatMap(cardsIn)[0]);
    const column = card.closest<HTMLElement>('[data-testid="column"]')!;
    const cards = cardsIn(column);
    const index = cards.indexOf(card);
    if (id === 'focusUp' || id === 'focusDown') return focusCard(cards[index + (id === 'focusUp' ? -1 : 1)]);
    const step = id === 'focusLeft' ? -1 : 1;
    for (let at = columns.indexOf(column) + step; at >= 0 && at < columns.length; at += step) {
      const there = cardsIn(columns[at]!);
      if (there.length) return focusCard(there[Math.min(index, there.length - 1)]);
    }
    return;
  }
  if (id === 'newCard') {
    if (!keys.canAdd) return say('You may not add cards to this board.');
    const column = card?.closest<HTMLElement>('[data-testid="column"]') ?? columns[0];
    column?.querySelector<HTMLButtonElement>('[data-shortcut="new-card"]')?.click();
    return;
  }
  if (!card) return say('Focus a card first: use the arrow keys.');
  const ticketId = Number(card.dataset.ticketId);
  const key = card.dataset.key ?? '';
  if (id === 'edit') return card.querySelector<HTMLAnchorElement>('a')?.click();
  if (id === 'assign') {
    const me = keys.me;
    if (me === undefined) return;
    if (!keys.canAssign) return say('You may not assign cards on this board.');
    if (board.find(ticketId)?.ticket.assignees.includes(me)) return say(`${key} is already assigned to you.`);
    if (await board.assign(ticketId, me)) say(`${key} assigned to you.`);
    return;
  }
  const ticket = board.find(ticketId)?.ticket;
  if (!ticket || !mayEditTicket(keys.moveScope, keys.me, ticket)) {
    return say(`Only the reporter, assignees and admins can move ${key}.`);
  }
  const target = await board.moveToColumn(ticketId, id === 'moveNext' ? 1 : -1);
  if (!target) return say(`${key} is already in the ${id === 'moveNext' ? 'last' : 'first'} column.`);
  say(`${key} moved to ${target.name}.`);
  await tick();
  focusCard(element?.querySelector<HTMLElement>(`[data-testid="card"][data-ticket-id="${ticketId}"]`) ?? undefined);
}
