/**
 * A card's moves and assignment, sent to the server: shown at once, undone with a message when
 * refused (a 409 — someone changed the card in the meantime — refetches the whole board
 * instead). Loaded with the drag library or on the first board shortcut, after the board is up
 * (decision 0061): nothing moves before one of them is there.
 */
import type { Ticket } from '#lib/api/index.ts';
import { ApiError } from '#lib/api/request.ts';
import type { BoardColumn, BoardModel } from './board-model.svelte.ts';

/** Sends a move after the card's earlier moves, with the version the user last saw. */
export function sendMove(
  board: BoardModel,
  original: Ticket,
  target: { column: number; after?: number; before?: number },
): void {
  const id = original.id;
  const earlier = board.moves.get(id);
  const move = (async (): Promise<number | undefined> => {
    // An own move still in flight at pick-up time is not someone else's change.
    const version = Math.max(original.version, (await earlier) ?? 0);
    try {
      const moved = await board.api.moveTicket(id, { ...target, version });
      board.whenIdle(() => board.place(moved));
      return moved.version;
    } catch (error) {
      await refused(board, original, error);
      return undefined;
    }
  })();
  board.moves.set(id, move);
  void move.finally(() => {
    if (board.moves.get(id) === move) board.moves.delete(id);
  });
}

async function refused(board: BoardModel, original: Ticket, error: unknown): Promise<void> {
  const reason = error instanceof ApiError ? error.message : 'Unexpected error';
  if (error instanceof ApiError && error.status === 409) {
    board.notices.error(`${original.key} was not moved: ${reason}. The board has been reloaded.`);
    try {
      await board.refetch();
    } catch {
      board.notices.error('The board could not be reloaded. Refresh the page.');
    }
    return;
  }
  // Back where it was, unless the server has since sent a newer state of the card.
  board.whenIdle(() => {
    const current = board.find(original.id)?.ticket;
    board.place(current && current.version > original.version ? structuredClone(current) : original, true);
  });
  // A refusal (403) says itself why and which card ("Only the reporter, assignees and admins
  // can move SD-8"); anything else is named here.
  board.notices.error(
    error instanceof ApiError && error.status === 403 ? reason : `${original.key} was not moved: ${reason}`,
  );
}

/**
 * Moves a card to the end of the column `step` places to the right (left when negative),
 * through the same move call and rollback as a drop. Answers the target column, or null when
 * there is none (already the first or last column, or a drag under way).
 */
export function moveToColumn(board: BoardModel, id: number, step: number): BoardColumn | null {
  const found = board.find(id);
  if (!found || board.dragging) return null;
  const at = board.columns.indexOf(found.column);
  const target = board.columns[at + step];
  if (!target) return null;
  // Cards are plain objects in raw lists (never state proxies), so `structuredClone` copies them
  // as `$state.snapshot` would, without Svelte's clone code (decision 0061).
  const original = structuredClone(found.ticket);
  found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
  target.tickets = [...target.tickets, { ...found.ticket, column: target.id, status: target.category }];
  board.columnOf.set(id, target.id);
  // No neighbours: the end of the column (SPEC §5).
  sendMove(board, original, { column: target.id });
  return target;
}

/** Adds `userId` to a card's assignees (kept as it is when already there); resolves to whether it changed. */
export async function assign(board: BoardModel, id: number, userId: number): Promise<boolean> {
  const ticket = board.find(id)?.ticket;
  if (!ticket || ticket.assignees.includes(userId)) return false;
  try {
    const updated = await board.api.patchTicket(id, {
      assignees: [...ticket.assignees, userId],
      version: ticket.version,
    });
    board.whenIdle(() => board.place(updated));
    return true;
  } catch (error) {
    board.notices.error(
      `${ticket.key} was not assigned: ${error instanceof ApiError ? error.message : 'unexpected error'}`,
    );
    return false;
  }
}
