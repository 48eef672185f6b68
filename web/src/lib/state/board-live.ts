/**
 * The board's live events: the project topic's events applied to its `BoardModel`. Loaded with
 * the socket, after the board is up (decision 0061): until the socket is there, no event comes.
 */
import { unknownEvent, type EventMessage } from '#lib/realtime/protocol.ts';
import type { BoardModel } from './board-model.svelte.ts';

/** How often a burst of live events updates the board (ms: four times a second; bench:web measured 150 and 300). */
const BURST_MS = 250;

/**
 * Applies one event of the project topic (in seq order; older ones are ignored). The first
 * event after a quiet moment is applied at once; events that follow it within the same frame
 * wait for the next one and are applied together, so a burst of events costs one update of
 * the page per frame instead of one per event. While the burst lasts, the page is updated
 * every {@link BURST_MS} only (decision 0058): each update moves whole columns on the screen,
 * and sixty of them a second take the main thread from everything else (bench:web's storm).
 */
export function applyEvent(board: BoardModel, event: EventMessage): void {
  if (board.frame) {
    board.queued.push(event);
    return;
  }
  board.burst = false;
  apply(board, event);
  nextFrame(board, 0);
}

/**
 * Opens a window (`wait` ms, then to the next frame) in which arriving events are queued; at
 * its end, applies them.
 */
function nextFrame(board: BoardModel, wait: number): void {
  const flush = () => {
    if (board.frame !== flush) return;
    clearTimeout(timer);
    const queued = board.queued;
    board.queued = [];
    board.frame = null;
    board.burst = queued.length > 1;
    for (const event of queued) apply(board, event);
    // Still busy: the next events wait for the burst's next update.
    if (queued.length) nextFrame(board, BURST_MS);
  };
  board.frame = flush;
  const frame = () => requestAnimationFrame(flush);
  const delay = wait ? setTimeout(frame, wait) : (frame(), undefined);
  // A hidden tab gets no frames: do not hold its events for long.
  const timer = setTimeout(() => {
    clearTimeout(delay);
    flush();
  }, wait + 100);
}

function apply(board: BoardModel, event: EventMessage): void {
  if (board.dragging) {
    board.held.push(() => apply(board, event));
    return;
  }
  if (event.seq <= board.seq) return;
  board.seq = event.seq;
  switch (event.type) {
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.moved':
    case 'ticket.archived':
    case 'ticket.unarchived':
      // The ticket as it now is (an archived one leaves the board).
      return board.place(event.data);
    case 'ticket.deleted': {
      const found = board.find(event.data.id);
      if (found) found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
      return;
    }
    case 'column.created':
    case 'column.updated':
    case 'column.moved':
      return board.placeColumn(event.data);
    case 'column.deleted': {
      const { id } = event.data;
      board.columns = board.columns.filter((c) => c.id !== id);
      return;
    }
    case 'tag.created':
    case 'tag.updated': {
      const tag = event.data;
      board.tags = [...board.tags.filter((t) => t.id !== tag.id), tag];
      return;
    }
    case 'tag.deleted': {
      const { id } = event.data;
      board.tags = board.tags.filter((t) => t.id !== id);
      return;
    }
    case 'field.created':
    case 'field.updated':
    case 'field.moved': {
      const field = event.data;
      board.fields = [...board.fields.filter((f) => f.id !== field.id), field].sort((a, b) =>
        a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
      );
      return;
    }
    case 'field.deleted': {
      // The server removed the values too (without new ticket versions): cards stop showing them.
      const { id } = event.data;
      board.fields = board.fields.filter((f) => f.id !== id);
      return;
    }
    case 'checklist.item_created':
    case 'checklist.item_updated':
    case 'checklist.item_deleted': {
      // The card's progress only: the ticket itself (and its version) did not change.
      const { ticket, checklist } = event.data;
      return board.patchCard(ticket, () => ({ checklist }));
    }
    case 'relation.created':
    case 'relation.deleted': {
      // The `to` card's blocked mark; its version did not change.
      const { to, to_blocked } = event.data;
      return board.patchCard(to, () => ({ blocked: to_blocked }));
    }
    case 'ticket.sla_breached': {
      // The card's SLA badge turns red; the ticket's version did not change.
      return board.patchCard(event.data.ticket, ({ sla }) => (sla ? { sla: { ...sla, breached: true } } : null));
    }
    // Not shown on the board: the project's own settings and members (read with the page),
    // a ticket's comments and files, and other topics' events.
    // Time is shown in the drawer only.
    case 'time.entry_created':
    case 'time.entry_updated':
    case 'time.entry_deleted':
    case 'project.created':
    case 'project.updated':
    case 'member.added':
    case 'member.updated':
    case 'member.removed':
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted':
    case 'attachment.created':
    case 'attachment.deleted':
    case 'chat.message':
    case 'notification.created':
    case 'notification.read':
      return;
    default:
      return unknownEvent(event);
  }
}
