/**
 * The board's drag and drop handlers (svelte-dnd-action's `consider` and `finalize`), applied to
 * its `BoardModel`. Loaded with the drag library (drag-zone.ts), after the board is up: no
 * event of the library comes before it (decisions 0058, 0061).
 */
import type { DndEvent, SOURCES, TRIGGERS } from 'svelte-dnd-action';
import type { Ticket } from '#lib/api/index.ts';
import type { BoardModel } from './board-model.svelte.ts';
import { mergeShown, neighboursAt } from './board-drop.ts';
import { sendMove } from './board-moves.ts';

/**
 * The drag library's trigger and source names this state acts on, as values of its own: its
 * enums are values of the library, which the board loads on first use only (decision 0058).
 */
const DRAG_STARTED = 'dragStarted' satisfies `${TRIGGERS}`;
const DRAG_STOPPED = 'dragStopped' satisfies `${TRIGGERS}`;
const POINTER = 'pointer' satisfies `${SOURCES}`;

/**
 * A card is being dragged over `columnId` (or the drag started or stopped there). `seen` is
 * the list the drag library was given (the shown cards, or a window of them).
 */
export function consider(
  board: BoardModel,
  columnId: number,
  event: CustomEvent<DndEvent<Ticket>>,
  seen?: readonly Ticket[],
): void {
  const { items, info } = event.detail;
  if (`${info.trigger}` === DRAG_STARTED) startDrag(board, Number(info.id));
  setItems(board, columnId, items, seen);
  // A keyboard drag ends with DRAG_STOPPED (its steps were finalized one by one).
  if (`${info.trigger}` === DRAG_STOPPED) finishDrag(board);
}

/** A card was dropped; a pointer drop ends the drag, a keyboard step does not. */
export function finalize(
  board: BoardModel,
  columnId: number,
  event: CustomEvent<DndEvent<Ticket>>,
  seen?: readonly Ticket[],
): void {
  const { items, info } = event.detail;
  setItems(board, columnId, items, seen);
  // The library finalizes the origin and the target column one after the other: settle after both.
  if (`${info.source}` === POINTER) setTimeout(() => finishDrag(board), 0);
}

/**
 * The drag library's new list of the cards it saw of a column (`seen`: all shown cards when
 * omitted). The cards it did not see (filtered out, or outside the rendered window) are merged
 * back around them, so a move names its neighbours in the full column.
 */
function setItems(board: BoardModel, columnId: number, items: Ticket[], seen?: readonly Ticket[]): void {
  const column = board.columns.find((c) => c.id === columnId);
  if (!column) return;
  const list = seen ?? board.shown(column);
  if (list.length === column.tickets.length) {
    column.tickets = items;
    return;
  }
  const seenIds = new Set(list.map((t) => t.id));
  column.tickets = mergeShown(column.tickets, items, (t) => seenIds.has(t.id), board.drag?.ticket.id ?? null);
}

// Cards are plain objects in raw lists (never state proxies), so `structuredClone` copies them
// as `$state.snapshot` would, without bringing Svelte's clone code to the board (decision 0061).
function startDrag(board: BoardModel, id: number): void {
  const found = board.find(id);
  board.dragging = true;
  board.draggedId = id;
  board.drag = found ? { ticket: structuredClone(found.ticket), column: found.column.id, index: found.index } : null;
}

function finishDrag(board: BoardModel): void {
  if (!board.dragging) return;
  const drag = board.drag;
  board.drag = null;
  board.dragging = false;
  board.draggedId = null;
  const found = drag ? board.find(drag.ticket.id) : null;
  // The drop as the user made it, read before held events may reorder the lists.
  const target =
    drag && found && (found.column.id !== drag.column || found.index !== drag.index)
      ? { column: found.column.id, ...neighboursAt(found.column.tickets, found.index) }
      : null;
  if (found && target)
    board.patchCard(found.ticket.id, () => ({ column: found.column.id, status: found.column.category }));
  const held = board.held;
  board.held = [];
  for (const change of held) change();
  if (drag && target) sendMove(board, drag.ticket, target);
}
