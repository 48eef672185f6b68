import type { Api, Board, Category, Column, Field, Member, Project, Tag, Ticket } from '#lib/api/index.ts';
import type { EventMessage } from '#lib/realtime/protocol.ts';
import { comparePlaced, sortedIndex } from './board-order.ts';
import type { Notices } from './notices.svelte.ts';

export type BoardColumn = Column & { tickets: Ticket[] };

/** The API calls a board makes (the board's page builds only these resources' calls: decision 0061). */
export type BoardApi = Pick<Api, 'board' | 'createTicket' | 'moveTicket' | 'patchTicket'>;

/**
 * A column on the board. Its cards are a raw list, replaced (never changed in place) by every
 * change, and each card a plain object replaced when the card changes: a live event then costs
 * one signal, not a trip through the state proxy for each of a long column's cards (decision 0015).
 */
class BoardColumnState implements BoardColumn {
  readonly id: number;
  readonly project: number;
  readonly name: string;
  readonly category: Category;
  readonly wip_limit: number | null;
  readonly position: string;
  tickets = $state.raw<Ticket[]>([]);

  constructor(column: Column, tickets: Ticket[]) {
    this.id = column.id;
    this.project = column.project;
    this.name = column.name;
    this.category = column.category;
    this.wip_limit = column.wip_limit;
    this.position = column.position;
    this.tickets = tickets;
  }
}

/** A drag in progress: the card as it was when picked up, and where. */
export interface DragStart {
  ticket: Ticket;
  column: number;
  index: number;
}

/**
 * What one board holds, and the few operations everything that changes it shares. `BoardState`
 * owns one and shows it to the page read-only; its live events (`board-live.ts`), drag handlers
 * (`board-drag.ts`) and moves (`board-moves.ts`) change it from modules loaded after the first
 * paint (decision 0061), which is why its fields are open here: nothing else is handed it.
 */
export class BoardModel {
  project = $state<Project>() as Project;
  columns = $state.raw<BoardColumnState[]>([]);
  members = $state<Member[]>([]);
  tags = $state<Tag[]>([]);
  fields = $state.raw<Field[]>([]);
  dragging = $state(false);
  /** The card being dragged here, for the presence announcement. */
  draggedId = $state<number | null>(null);
  /** The board filter: cards it refuses are hidden (null: every card is shown). */
  isShown = $state.raw<((ticket: Ticket) => boolean) | null>(null);
  // Lookups rebuilt whenever their list changes, never mutated: plain Maps are enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly membersById = $derived(new Map(this.members.map((m) => [m.user.id, m.user])));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly tagsById = $derived(new Map(this.tags.map((t) => [t.id, t])));
  /** The last project-topic seq reflected in `columns`. */
  seq = 0;
  /** Changes that arrived during a drag, applied in order at the drop. */
  held: (() => void)[] = [];
  drag: DragStart | null = null;
  /** Where each card was last seen: a hint for `find`, which checks it (never rendered). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  columnOf = new Map<number, number>();
  /** Per card, the chain of its moves in flight (resolving to the version each left it at). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  moves = new Map<number, Promise<number | undefined>>();
  /** Live events that arrived while the last ones were being shown, applied together later. */
  queued: EventMessage[] = [];
  frame: (() => void) | null = null;
  /** True while a burst of queued events is applied: cards arriving then do not animate. */
  burst = false;

  constructor(
    readonly api: BoardApi,
    readonly notices: Notices,
  ) {}

  /** The cards of a column the filter lets through, in order (the list the drag library sees). */
  shown(column: BoardColumn): Ticket[] {
    const isShown = this.isShown;
    return isShown ? column.tickets.filter(isShown) : column.tickets;
  }

  /** Replaces everything with a freshly read board (after `resync` or a conflicting move). */
  reset(board: Board): void {
    this.held = [];
    this.drag = null;
    this.dragging = false;
    this.draggedId = null;
    this.load(board);
  }

  /** Reads the board again; resolves to the seq it was read at. */
  async refetch(): Promise<number> {
    const board = await this.api.board(this.project.id);
    this.whenIdle(() => this.reset(board));
    return board.seq;
  }

  load(board: Board): void {
    this.seq = board.seq;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    this.columnOf = new Map(board.columns.flatMap((c) => c.tickets.map((t) => [t.id, c.id])));
    this.columns = board.columns
      .toSorted(comparePlaced)
      .map((c) => new BoardColumnState(c, c.tickets.filter((t) => !t.is_archived).toSorted(comparePlaced)));
  }

  /** Runs a change of the lists now, or at the drop when a drag is in progress. */
  whenIdle(change: () => void): void {
    if (this.dragging) this.held.push(change);
    else change();
  }

  /** Finds a card anywhere on the board. */
  find(id: number): { column: BoardColumn; index: number; ticket: Ticket } | null {
    // The column the card was last placed in first: every read of the lists goes through the
    // state proxy, and a live event should not read the whole board.
    const hinted = this.columns.find((c) => c.id === this.columnOf.get(id));
    const index = hinted ? hinted.tickets.findIndex((t) => t.id === id) : -1;
    if (hinted && index >= 0) return { column: hinted, index, ticket: hinted.tickets[index]! };
    for (const column of this.columns) {
      if (column === hinted) continue;
      const index = column.tickets.findIndex((t) => t.id === id);
      if (index >= 0) {
        this.columnOf.set(id, column.id);
        return { column, index, ticket: column.tickets[index]! };
      }
    }
    return null;
  }

  /**
   * Changes fields of a card where it stands (a live event that does not move it: its
   * checklist's progress, its blocked mark, its SLA badge); `patch` gets the card as it is.
   */
  patchCard(id: number, patch: (ticket: Ticket) => Partial<Ticket> | null): void {
    const found = this.find(id);
    const changes = found && patch(found.ticket);
    if (found && changes)
      found.column.tickets = found.column.tickets.with(found.index, { ...found.ticket, ...changes });
  }

  /**
   * Puts a ticket where its column and position say, unless the board already holds a newer
   * version of it (a late HTTP answer must not undo a later event).
   */
  place(ticket: Ticket, force = false): void {
    const found = this.find(ticket.id);
    if (found && !force && found.ticket.version > ticket.version) return;
    if (found) found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
    if (ticket.is_archived) return;
    const column = this.columns.find((c) => c.id === ticket.column);
    if (!column) return;
    // A new array rather than a splice of the reactive one, which would move each later card
    // through the state proxy one index at a time (a 250-card column: 250 writes per event).
    column.tickets = column.tickets.toSpliced(sortedIndex(column.tickets, ticket), 0, ticket);
    this.columnOf.set(ticket.id, column.id);
  }

  /** Puts a column (new, renamed or moved) in its place, with the cards it already holds. */
  placeColumn(column: Column): void {
    const existing = this.columns.find((c) => c.id === column.id);
    const next = new BoardColumnState(column, existing?.tickets ?? []);
    this.columns = [...this.columns.filter((c) => c.id !== column.id), next].toSorted(comparePlaced);
  }
}
