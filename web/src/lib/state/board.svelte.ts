import type { DndEvent } from 'svelte-dnd-action';
import type { Board, Field, Member, Priority, Project, Tag, Ticket } from '#lib/api/index.ts';
import { ApiError } from '#lib/api/request.ts';
import type { EventMessage } from '#lib/realtime/protocol.ts';
import { BoardModel, type BoardApi, type BoardColumn } from './board-model.svelte.ts';
import type { Notices } from './notices.svelte.ts';

export type { BoardApi, BoardColumn };

export interface BoardData {
  project: Project;
  board: Board;
  members: Member[];
  tags: Tag[];
  priorities: Priority[];
  /** The project's custom fields, in order (absent: none shown). */
  fields?: Field[];
}

/**
 * The board's code that runs only after it is up (decision 0061): live events come with the
 * socket, drag and drop with the drag library, moves with either or with a board shortcut.
 */
type Live = typeof import('./board-live.ts');
type Drag = typeof import('./board-drag.ts');
type Moves = typeof import('./board-moves.ts');
let live: Live | null = null;
let drag: Drag | null = null;
let loadingLive: Promise<Live> | undefined;
let loadingMoves: Promise<Moves> | undefined;

/** Loads the live events' code (once); the page starts it when the socket is there. */
export function loadBoardLive(): Promise<Live> {
  return (loadingLive ??= import('./board-live.ts').then((loaded) => (live = loaded)));
}

/** Loads the drag handlers (once; drag-zone.ts loads them with the drag library). */
export async function loadBoardDrag(): Promise<void> {
  drag = await import('./board-drag.ts');
}

const loadMoves = () => (loadingMoves ??= import('./board-moves.ts'));

/**
 * One project's board: columns and their cards in order, kept current by the project topic's
 * events, and moved optimistically. A move is shown at once, sent as `{column, after|before,
 * version}`, and undone with a message when refused (a 409 — someone changed the card in the
 * meantime — refetches the whole board instead). Changes that arrive during a drag (events,
 * answers, a refetched board) wait until the drop, so the drag library's lists are not changed
 * under it. What it holds is a `BoardModel`, read here and changed by the modules above.
 */
export class BoardState {
  readonly #board: BoardModel;
  /** Events that came before the live events' code, applied in order once it is there. */
  #early: EventMessage[] = [];

  /** The fixed priorities, by id (read once with the board). */
  readonly prioritiesById: ReadonlyMap<number, Priority>;

  constructor(data: BoardData, deps: { api: BoardApi; notices: Notices }) {
    const board = (this.#board = new BoardModel(deps.api, deps.notices));
    board.project = data.project;
    board.members = data.members;
    board.tags = data.tags;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- fixed reference data, never changed
    this.prioritiesById = new Map(data.priorities.map((p) => [p.id, p]));
    board.fields = data.fields ?? [];
    board.load(data.board);
  }

  get membersById(): Map<number, Member['user']> {
    return this.#board.membersById;
  }
  get tagsById(): Map<number, Tag> {
    return this.#board.tagsById;
  }
  get project(): Project {
    return this.#board.project;
  }
  get columns(): BoardColumn[] {
    return this.#board.columns;
  }
  get seq(): number {
    return this.#board.seq;
  }
  get topic(): string {
    return `project:${this.#board.project.id}`;
  }
  /** The project's custom fields, in display order. */
  get fields(): Field[] {
    return this.#board.fields;
  }
  get dragging(): boolean {
    return this.#board.dragging;
  }
  get draggedId(): number | null {
    return this.#board.draggedId;
  }
  get filtered(): boolean {
    return this.#board.isShown !== null;
  }
  /** True while a burst of queued events is applied: cards arriving then do not animate. */
  get burst(): boolean {
    return this.#board.burst;
  }

  /** Shows only the cards `isShown` accepts (null: all of them). */
  setFilter(isShown: ((ticket: Ticket) => boolean) | null): void {
    this.#board.isShown = isShown;
  }

  /** The cards of a column the filter lets through, in order (the list the drag library sees). */
  shown(column: BoardColumn): Ticket[] {
    return this.#board.shown(column);
  }

  /** Replaces everything with a freshly read board (after `resync` or a conflicting move). */
  reset(board: Board): void {
    this.#board.reset(board);
  }

  /** Reads the board again; resolves to the seq it was read at. */
  refetch(): Promise<number> {
    return this.#board.refetch();
  }

  /** Finds a card anywhere on the board. */
  find(id: number): { column: BoardColumn; index: number; ticket: Ticket } | null {
    return this.#board.find(id);
  }

  /**
   * Applies one event of the project topic (board-live.ts: in seq order, a burst four times a
   * second). One that comes before the live events' code waits for it, with those after it.
   */
  applyEvent(event: EventMessage): void {
    if (live && !this.#early.length) return live.applyEvent(this.#board, event);
    if (this.#early.push(event) > 1) return;
    loadBoardLive().then(
      (loaded) => {
        const early = this.#early;
        this.#early = [];
        for (const held of early) loaded.applyEvent(this.#board, held);
      },
      () => this.#board.notices.error('Live updates could not be applied. Refresh the page.'),
    );
  }

  // --- drag and drop (board-drag.ts; the library's events come only once it has loaded) ------

  /** A card is being dragged over `columnId`; `seen` is the list the drag library was given. */
  consider(columnId: number, event: CustomEvent<DndEvent<Ticket>>, seen?: readonly Ticket[]): void {
    drag?.consider(this.#board, columnId, event, seen);
  }

  /** A card was dropped; a pointer drop ends the drag, a keyboard step does not. */
  finalize(columnId: number, event: CustomEvent<DndEvent<Ticket>>, seen?: readonly Ticket[]): void {
    drag?.finalize(this.#board, columnId, event, seen);
  }

  // --- keyboard (board-moves.ts, loaded on the first use) -----------------------------------

  /**
   * Moves a card to the end of the column `step` places to the right (left when negative).
   * Resolves to the target column, or null when there is none (or a drag is under way).
   */
  async moveToColumn(id: number, step: number): Promise<BoardColumn | null> {
    return (await loadMoves()).moveToColumn(this.#board, id, step);
  }

  /** Adds `userId` to a card's assignees; resolves to whether it changed. */
  async assign(id: number, userId: number): Promise<boolean> {
    return (await loadMoves()).assign(this.#board, id, userId);
  }

  // --- quick add ---------------------------------------------------------------------------

  /** Creates a card at the bottom of a column; resolves to whether it worked. */
  async addTicket(columnId: number, title: string): Promise<boolean> {
    const board = this.#board;
    try {
      const ticket = await board.api.createTicket({ project: board.project.id, column: columnId, title });
      board.whenIdle(() => board.place(ticket));
      return true;
    } catch (error) {
      board.notices.error(`The card was not added: ${error instanceof ApiError ? error.message : 'unexpected error'}`);
      return false;
    }
  }
}
