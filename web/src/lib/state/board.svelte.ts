import { SOURCES, TRIGGERS, type DndEvent } from 'svelte-dnd-action';
import { ApiError, type Api } from '#lib/api/client.ts';
import type { Board, Column, Member, Project, Tag, Ticket } from '#lib/api/types.ts';
import type { EventMessage } from '#lib/realtime/protocol.ts';
import { comparePlaced, neighboursAt, sortedIndex } from './board-order.ts';
import type { Notices } from './notices.svelte.ts';

export type BoardColumn = Column & { tickets: Ticket[] };

export interface BoardData {
  project: Project;
  board: Board;
  members: Member[];
  tags: Tag[];
}

/** A drag in progress: the card as it was when picked up, and where. */
interface DragStart {
  ticket: Ticket;
  column: number;
  index: number;
}

/**
 * One project's board: columns and their cards in order, kept current by the project topic's
 * events, and moved optimistically. A move is shown at once, sent as `{column, after|before,
 * version}`, and undone with a message when refused (a 409 — someone changed the card in the
 * meantime — refetches the whole board instead). Changes that arrive during a drag (events,
 * answers, a refetched board) wait until the drop, so the drag library's lists are not changed
 * under it.
 */
export class BoardState {
  #project = $state<Project>() as Project;
  #columns = $state<BoardColumn[]>([]);
  #members = $state<Member[]>([]);
  #tags = $state<Tag[]>([]);
  #dragging = $state(false);
  /** The last project-topic seq reflected in `#columns`. */
  #seq = 0;
  /** Changes that arrived during a drag, applied in order at the drop. */
  #held: (() => void)[] = [];
  #drag: DragStart | null = null;
  /** Per card, the chain of its moves in flight (resolving to the version each left it at). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #moves = new Map<number, Promise<number | undefined>>();
  readonly #api: Api;
  readonly #notices: Notices;

  // Lookups rebuilt whenever their list changes, never mutated: plain Maps are enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly membersById = $derived(new Map(this.#members.map((m) => [m.user.id, m.user])));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly tagsById = $derived(new Map(this.#tags.map((t) => [t.id, t])));

  constructor(data: BoardData, deps: { api: Api; notices: Notices }) {
    this.#api = deps.api;
    this.#notices = deps.notices;
    this.#project = data.project;
    this.#members = data.members;
    this.#tags = data.tags;
    this.#load(data.board);
  }

  get project(): Project {
    return this.#project;
  }
  get columns(): BoardColumn[] {
    return this.#columns;
  }
  get seq(): number {
    return this.#seq;
  }
  get topic(): string {
    return `project:${this.#project.id}`;
  }
  get dragging(): boolean {
    return this.#dragging;
  }

  /** Replaces everything with a freshly read board (after `resync` or a conflicting move). */
  reset(board: Board): void {
    this.#held = [];
    this.#drag = null;
    this.#dragging = false;
    this.#load(board);
  }

  /** Reads the board again; resolves to the seq it was read at. */
  async refetch(): Promise<number> {
    const board = await this.#api.board(this.#project.id);
    this.#whenIdle(() => this.reset(board));
    return board.seq;
  }

  /** Runs a change of the lists now, or at the drop when a drag is in progress. */
  #whenIdle(change: () => void): void {
    if (this.#dragging) this.#held.push(change);
    else change();
  }

  #load(board: Board): void {
    this.#seq = board.seq;
    this.#columns = board.columns
      .toSorted(comparePlaced)
      .map((c) => ({ ...c, tickets: c.tickets.filter((t) => !t.is_archived).toSorted(comparePlaced) }));
  }

  /** Applies one event of the project topic (in seq order; older ones are ignored). */
  applyEvent(event: EventMessage): void {
    if (this.#dragging) {
      this.#held.push(() => this.applyEvent(event));
      return;
    }
    if (event.seq <= this.#seq) return;
    this.#seq = event.seq;
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'ticket.deleted':
        this.#remove(Number(data.id));
        return;
      case 'column.created':
      case 'column.updated':
      case 'column.moved':
        this.#placeColumn(data as unknown as Column);
        return;
      case 'column.deleted':
        this.#columns = this.#columns.filter((c) => c.id !== Number(data.id));
        return;
      case 'tag.created':
      case 'tag.updated':
        this.#tags = [...this.#tags.filter((t) => t.id !== Number(data.id)), data as unknown as Tag];
        return;
      case 'tag.deleted':
        this.#tags = this.#tags.filter((t) => t.id !== Number(data.id));
        return;
    }
    // ticket.created / updated / moved / archived / unarchived: the ticket as it now is.
    if (event.type.startsWith('ticket.') && typeof data.column === 'number') this.#place(data as unknown as Ticket);
  }

  /** Finds a card anywhere on the board. */
  find(id: number): { column: BoardColumn; index: number; ticket: Ticket } | null {
    for (const column of this.#columns) {
      const index = column.tickets.findIndex((t) => t.id === id);
      if (index >= 0) return { column, index, ticket: column.tickets[index]! };
    }
    return null;
  }

  #remove(id: number): void {
    const found = this.find(id);
    if (found) found.column.tickets.splice(found.index, 1);
  }

  /**
   * Puts a ticket where its column and position say, unless the board already holds a newer
   * version of it (a late HTTP answer must not undo a later event).
   */
  #place(ticket: Ticket, force = false): void {
    const found = this.find(ticket.id);
    if (found && !force && found.ticket.version > ticket.version) return;
    if (found) found.column.tickets.splice(found.index, 1);
    if (ticket.is_archived) return;
    const column = this.#columns.find((c) => c.id === ticket.column);
    if (!column) return;
    column.tickets.splice(sortedIndex(column.tickets, ticket), 0, ticket);
  }

  #placeColumn(column: Column): void {
    const existing = this.#columns.find((c) => c.id === column.id);
    const next = { ...column, tickets: existing?.tickets ?? [] };
    this.#columns = [...this.#columns.filter((c) => c.id !== column.id), next].toSorted(comparePlaced);
  }

  // --- drag and drop (svelte-dnd-action's consider/finalize) ------------------------------

  /** A card is being dragged over `columnId` (or the drag started or stopped there). */
  consider(columnId: number, event: CustomEvent<DndEvent<Ticket>>): void {
    const { items, info } = event.detail;
    if (info.trigger === TRIGGERS.DRAG_STARTED) this.#startDrag(Number(info.id));
    this.#setItems(columnId, items);
    // A keyboard drag ends with DRAG_STOPPED (its steps were finalized one by one).
    if (info.trigger === TRIGGERS.DRAG_STOPPED) this.#finishDrag();
  }

  /** A card was dropped; a pointer drop ends the drag, a keyboard step does not. */
  finalize(columnId: number, event: CustomEvent<DndEvent<Ticket>>): void {
    const { items, info } = event.detail;
    this.#setItems(columnId, items);
    // The library finalizes the origin and the target column one after the other: settle after both.
    if (info.source === SOURCES.POINTER) setTimeout(() => this.#finishDrag(), 0);
  }

  #setItems(columnId: number, items: Ticket[]): void {
    const column = this.#columns.find((c) => c.id === columnId);
    if (column) column.tickets = items;
  }

  #startDrag(id: number): void {
    const found = this.find(id);
    this.#dragging = true;
    this.#drag = found ? { ticket: $state.snapshot(found.ticket), column: found.column.id, index: found.index } : null;
  }

  #finishDrag(): void {
    if (!this.#dragging) return;
    const drag = this.#drag;
    this.#drag = null;
    this.#dragging = false;
    const found = drag ? this.find(drag.ticket.id) : null;
    // The drop as the user made it, read before held events may reorder the lists.
    const target =
      drag && found && (found.column.id !== drag.column || found.index !== drag.index)
        ? { column: found.column.id, ...neighboursAt(found.column.tickets, found.index) }
        : null;
    if (found && target) {
      found.ticket.column = found.column.id;
      found.ticket.status = found.column.category;
    }
    const held = this.#held;
    this.#held = [];
    for (const change of held) change();
    if (drag && target) this.#send(drag.ticket, target);
  }

  /** Sends a move after the card's earlier moves, with the version the user last saw. */
  #send(original: Ticket, target: { column: number; after?: number; before?: number }): void {
    const id = original.id;
    const earlier = this.#moves.get(id);
    const move = (async (): Promise<number | undefined> => {
      // An own move still in flight at pick-up time is not someone else's change.
      const version = Math.max(original.version, (await earlier) ?? 0);
      try {
        const moved = await this.#api.moveTicket(id, { ...target, version });
        this.#whenIdle(() => this.#place(moved));
        return moved.version;
      } catch (error) {
        await this.#refused(original, error);
        return undefined;
      }
    })();
    this.#moves.set(id, move);
    void move.finally(() => {
      if (this.#moves.get(id) === move) this.#moves.delete(id);
    });
  }

  async #refused(original: Ticket, error: unknown): Promise<void> {
    const reason = error instanceof ApiError ? error.message : 'Unexpected error';
    if (error instanceof ApiError && error.status === 409) {
      this.#notices.error(`${original.key} was not moved: ${reason}. The board has been reloaded.`);
      try {
        await this.refetch();
      } catch {
        this.#notices.error('The board could not be reloaded. Refresh the page.');
      }
      return;
    }
    // Back where it was, unless the server has since sent a newer state of the card.
    this.#whenIdle(() => {
      const current = this.find(original.id)?.ticket;
      this.#place(current && current.version > original.version ? $state.snapshot(current) : original, true);
    });
    this.#notices.error(`${original.key} was not moved: ${reason}`);
  }

  // --- quick add ---------------------------------------------------------------------------

  /** Creates a card at the bottom of a column; resolves to whether it worked. */
  async addTicket(columnId: number, title: string): Promise<boolean> {
    try {
      const ticket = await this.#api.createTicket({ project: this.#project.id, column: columnId, title });
      this.#whenIdle(() => this.#place(ticket));
      return true;
    } catch (error) {
      this.#notices.error(`The card was not added: ${error instanceof ApiError ? error.message : 'unexpected error'}`);
      return false;
    }
  }
}
