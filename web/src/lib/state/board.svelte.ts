import type { DndEvent, SOURCES, TRIGGERS } from 'svelte-dnd-action';
import type { Api, Board, Category, Column, Field, Member, Priority, Project, Tag, Ticket } from '#lib/api/index.ts';
import { ApiError } from '#lib/api/request.ts';
import { unknownEvent, type EventMessage } from '#lib/realtime/protocol.ts';
import { comparePlaced, mergeShown, neighboursAt, sortedIndex } from './board-order.ts';
import type { Notices } from './notices.svelte.ts';

export type BoardColumn = Column & { tickets: Ticket[] };

/**
 * The drag library's trigger and source names this state acts on, as values of its own: its
 * enums are values of the library, which the board loads on first use only (decision 0058).
 */
const DRAG_STARTED = 'dragStarted' satisfies `${TRIGGERS}`;
const DRAG_STOPPED = 'dragStopped' satisfies `${TRIGGERS}`;
const POINTER = 'pointer' satisfies `${SOURCES}`;

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

export interface BoardData {
  project: Project;
  board: Board;
  members: Member[];
  tags: Tag[];
  priorities: Priority[];
  /** The project's custom fields, in order (absent: none shown). */
  fields?: Field[];
}

/** The API calls a board makes (the board's page builds only these resources' calls: decision 0061). */
export type BoardApi = Pick<Api, 'board' | 'createTicket' | 'moveTicket' | 'patchTicket'>;

/** How often a burst of live events updates the board (ms: four times a second; bench:web measured 150 and 300). */
const BURST_MS = 250;

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
  #columns = $state.raw<BoardColumnState[]>([]);
  #members = $state<Member[]>([]);
  #tags = $state<Tag[]>([]);
  #fields = $state.raw<Field[]>([]);
  #dragging = $state(false);
  /** The card being dragged here, for the presence announcement. */
  #draggedId = $state<number | null>(null);
  /** The board filter: cards it refuses are hidden (null: every card is shown). */
  #isShown = $state.raw<((ticket: Ticket) => boolean) | null>(null);
  /** The last project-topic seq reflected in `#columns`. */
  #seq = 0;
  /** Changes that arrived during a drag, applied in order at the drop. */
  #held: (() => void)[] = [];
  #drag: DragStart | null = null;
  /** Where each card was last seen: a hint for `find`, which checks it (never rendered). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #columnOf = new Map<number, number>();
  /** Per card, the chain of its moves in flight (resolving to the version each left it at). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #moves = new Map<number, Promise<number | undefined>>();
  readonly #api: BoardApi;
  readonly #notices: Notices;

  // Lookups rebuilt whenever their list changes, never mutated: plain Maps are enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly membersById = $derived(new Map(this.#members.map((m) => [m.user.id, m.user])));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly tagsById = $derived(new Map(this.#tags.map((t) => [t.id, t])));
  /** The fixed priorities, by id (read once with the board). */
  readonly prioritiesById: ReadonlyMap<number, Priority>;

  constructor(data: BoardData, deps: { api: BoardApi; notices: Notices }) {
    this.#api = deps.api;
    this.#notices = deps.notices;
    this.#project = data.project;
    this.#members = data.members;
    this.#tags = data.tags;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- fixed reference data, never changed
    this.prioritiesById = new Map(data.priorities.map((p) => [p.id, p]));
    this.#fields = data.fields ?? [];
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
  /** The project's custom fields, in display order. */
  get fields(): Field[] {
    return this.#fields;
  }
  get dragging(): boolean {
    return this.#dragging;
  }
  get draggedId(): number | null {
    return this.#draggedId;
  }
  get filtered(): boolean {
    return this.#isShown !== null;
  }

  /** Shows only the cards `isShown` accepts (null: all of them). */
  setFilter(isShown: ((ticket: Ticket) => boolean) | null): void {
    this.#isShown = isShown;
  }

  /** The cards of a column the filter lets through, in order (the list the drag library sees). */
  shown(column: BoardColumn): Ticket[] {
    const isShown = this.#isShown;
    return isShown ? column.tickets.filter(isShown) : column.tickets;
  }

  /** Replaces everything with a freshly read board (after `resync` or a conflicting move). */
  reset(board: Board): void {
    this.#held = [];
    this.#drag = null;
    this.#dragging = false;
    this.#draggedId = null;
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
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    this.#columnOf = new Map(board.columns.flatMap((c) => c.tickets.map((t) => [t.id, c.id])));
    this.#columns = board.columns
      .toSorted(comparePlaced)
      .map((c) => new BoardColumnState(c, c.tickets.filter((t) => !t.is_archived).toSorted(comparePlaced)));
  }

  /** Events that arrived while the last ones were being shown, applied together later. */
  #queued: EventMessage[] = [];
  #frame: (() => void) | null = null;
  #burst = false;

  /** True while a burst of queued events is applied: cards arriving then do not animate. */
  get burst(): boolean {
    return this.#burst;
  }

  /**
   * Applies one event of the project topic (in seq order; older ones are ignored). The first
   * event after a quiet moment is applied at once; events that follow it within the same frame
   * wait for the next one and are applied together, so a burst of events costs one update of
   * the page per frame instead of one per event. While the burst lasts, the page is updated
   * every {@link BURST_MS} only (decision 0058): each update moves whole columns on the screen,
   * and sixty of them a second take the main thread from everything else (bench:web's storm).
   */
  applyEvent(event: EventMessage): void {
    if (this.#frame) {
      this.#queued.push(event);
      return;
    }
    this.#burst = false;
    this.#apply(event);
    this.#nextFrame(0);
  }

  /**
   * Opens a window (`wait` ms, then to the next frame) in which arriving events are queued; at
   * its end, applies them.
   */
  #nextFrame(wait: number): void {
    const flush = () => {
      if (this.#frame !== flush) return;
      clearTimeout(timer);
      const queued = this.#queued;
      this.#queued = [];
      this.#frame = null;
      this.#burst = queued.length > 1;
      for (const event of queued) this.#apply(event);
      // Still busy: the next events wait for the burst's next update.
      if (queued.length) this.#nextFrame(BURST_MS);
    };
    this.#frame = flush;
    const frame = () => requestAnimationFrame(flush);
    const delay = wait ? setTimeout(frame, wait) : (frame(), undefined);
    // A hidden tab gets no frames: do not hold its events for long.
    const timer = setTimeout(() => {
      clearTimeout(delay);
      flush();
    }, wait + 100);
  }

  #apply(event: EventMessage): void {
    if (this.#dragging) {
      this.#held.push(() => this.#apply(event));
      return;
    }
    if (event.seq <= this.#seq) return;
    this.#seq = event.seq;
    switch (event.type) {
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.moved':
      case 'ticket.archived':
      case 'ticket.unarchived':
        // The ticket as it now is (an archived one leaves the board).
        return this.#place(event.data);
      case 'ticket.deleted':
        return this.#remove(event.data.id);
      case 'column.created':
      case 'column.updated':
      case 'column.moved':
        return this.#placeColumn(event.data);
      case 'column.deleted': {
        const { id } = event.data;
        this.#columns = this.#columns.filter((c) => c.id !== id);
        return;
      }
      case 'tag.created':
      case 'tag.updated': {
        const tag = event.data;
        this.#tags = [...this.#tags.filter((t) => t.id !== tag.id), tag];
        return;
      }
      case 'tag.deleted': {
        const { id } = event.data;
        this.#tags = this.#tags.filter((t) => t.id !== id);
        return;
      }
      case 'field.created':
      case 'field.updated':
      case 'field.moved': {
        const field = event.data;
        this.#fields = [...this.#fields.filter((f) => f.id !== field.id), field].sort((a, b) =>
          a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
        );
        return;
      }
      case 'field.deleted': {
        // The server removed the values too (without new ticket versions): cards stop showing them.
        const { id } = event.data;
        this.#fields = this.#fields.filter((f) => f.id !== id);
        return;
      }
      case 'checklist.item_created':
      case 'checklist.item_updated':
      case 'checklist.item_deleted': {
        // The card's progress only: the ticket itself (and its version) did not change.
        const { ticket, checklist } = event.data;
        const found = this.find(ticket);
        if (found) found.column.tickets = found.column.tickets.with(found.index, { ...found.ticket, checklist });
        return;
      }
      case 'relation.created':
      case 'relation.deleted': {
        // The `to` card's blocked mark; its version did not change.
        const { to, to_blocked } = event.data;
        const found = this.find(to);
        if (found)
          found.column.tickets = found.column.tickets.with(found.index, { ...found.ticket, blocked: to_blocked });
        return;
      }
      case 'ticket.sla_breached': {
        // The card's SLA badge turns red; the ticket's version did not change.
        const found = this.find(event.data.ticket);
        const sla = found?.ticket.sla;
        if (found && sla)
          found.column.tickets = found.column.tickets.with(found.index, {
            ...found.ticket,
            sla: { ...sla, breached: true },
          });
        return;
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

  /** Finds a card anywhere on the board. */
  find(id: number): { column: BoardColumn; index: number; ticket: Ticket } | null {
    // The column the card was last placed in first: every read of the lists goes through the
    // state proxy, and a live event should not read the whole board.
    const hinted = this.#columns.find((c) => c.id === this.#columnOf.get(id));
    const index = hinted ? hinted.tickets.findIndex((t) => t.id === id) : -1;
    if (hinted && index >= 0) return { column: hinted, index, ticket: hinted.tickets[index]! };
    for (const column of this.#columns) {
      if (column === hinted) continue;
      const index = column.tickets.findIndex((t) => t.id === id);
      if (index >= 0) {
        this.#columnOf.set(id, column.id);
        return { column, index, ticket: column.tickets[index]! };
      }
    }
    return null;
  }

  #remove(id: number): void {
    const found = this.find(id);
    if (found) found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
  }

  /**
   * Puts a ticket where its column and position say, unless the board already holds a newer
   * version of it (a late HTTP answer must not undo a later event).
   */
  #place(ticket: Ticket, force = false): void {
    const found = this.find(ticket.id);
    if (found && !force && found.ticket.version > ticket.version) return;
    if (found) found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
    if (ticket.is_archived) return;
    const column = this.#columns.find((c) => c.id === ticket.column);
    if (!column) return;
    // A new array rather than a splice of the reactive one, which would move each later card
    // through the state proxy one index at a time (a 250-card column: 250 writes per event).
    column.tickets = column.tickets.toSpliced(sortedIndex(column.tickets, ticket), 0, ticket);
    this.#columnOf.set(ticket.id, column.id);
  }

  #placeColumn(column: Column): void {
    const existing = this.#columns.find((c) => c.id === column.id);
    const next = new BoardColumnState(column, existing?.tickets ?? []);
    this.#columns = [...this.#columns.filter((c) => c.id !== column.id), next].toSorted(comparePlaced);
  }

  // --- drag and drop (svelte-dnd-action's consider/finalize) ------------------------------

  /**
   * A card is being dragged over `columnId` (or the drag started or stopped there). `seen` is
   * the list the drag library was given (the shown cards, or a window of them).
   */
  consider(columnId: number, event: CustomEvent<DndEvent<Ticket>>, seen?: readonly Ticket[]): void {
    const { items, info } = event.detail;
    if (`${info.trigger}` === DRAG_STARTED) this.#startDrag(Number(info.id));
    this.#setItems(columnId, items, seen);
    // A keyboard drag ends with DRAG_STOPPED (its steps were finalized one by one).
    if (`${info.trigger}` === DRAG_STOPPED) this.#finishDrag();
  }

  /** A card was dropped; a pointer drop ends the drag, a keyboard step does not. */
  finalize(columnId: number, event: CustomEvent<DndEvent<Ticket>>, seen?: readonly Ticket[]): void {
    const { items, info } = event.detail;
    this.#setItems(columnId, items, seen);
    // The library finalizes the origin and the target column one after the other: settle after both.
    if (`${info.source}` === POINTER) setTimeout(() => this.#finishDrag(), 0);
  }

  /**
   * The drag library's new list of the cards it saw of a column (`seen`: all shown cards when
   * omitted). The cards it did not see (filtered out, or outside the rendered window) are merged
   * back around them, so a move names its neighbours in the full column.
   */
  #setItems(columnId: number, items: Ticket[], seen?: readonly Ticket[]): void {
    const column = this.#columns.find((c) => c.id === columnId);
    if (!column) return;
    const list = seen ?? this.shown(column);
    if (list.length === column.tickets.length) {
      column.tickets = items;
      return;
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup
    const seenIds = new Set(list.map((t) => t.id));
    column.tickets = mergeShown(column.tickets, items, (t) => seenIds.has(t.id), this.#drag?.ticket.id ?? null);
  }

  // Cards are plain objects in raw lists (never state proxies), so `structuredClone` copies them
  // as `$state.snapshot` would, without bringing Svelte's clone code to the board's first load
  // (decision 0061).
  #startDrag(id: number): void {
    const found = this.find(id);
    this.#dragging = true;
    this.#draggedId = id;
    this.#drag = found ? { ticket: structuredClone(found.ticket), column: found.column.id, index: found.index } : null;
  }

  #finishDrag(): void {
    if (!this.#dragging) return;
    const drag = this.#drag;
    this.#drag = null;
    this.#dragging = false;
    this.#draggedId = null;
    const found = drag ? this.find(drag.ticket.id) : null;
    // The drop as the user made it, read before held events may reorder the lists.
    const target =
      drag && found && (found.column.id !== drag.column || found.index !== drag.index)
        ? { column: found.column.id, ...neighboursAt(found.column.tickets, found.index) }
        : null;
    if (found && target) {
      const moved = { ...found.ticket, column: found.column.id, status: found.column.category };
      found.column.tickets = found.column.tickets.with(found.index, moved);
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
      this.#place(current && current.version > original.version ? structuredClone(current) : original, true);
    });
    // A refusal (403) says itself why and which card ("Only the reporter, assignees and admins
    // can move SD-8"); anything else is named here.
    this.#notices.error(
      error instanceof ApiError && error.status === 403 ? reason : `${original.key} was not moved: ${reason}`,
    );
  }

  // --- keyboard (lib/shortcuts.ts) -----------------------------------------------------------

  /**
   * Moves a card to the end of the column `step` places to the right (left when negative),
   * through the same move call and rollback as a drop. Answers the target column, or null when
   * there is none (already the first or last column, or a drag under way).
   */
  moveToColumn(id: number, step: number): BoardColumn | null {
    const found = this.find(id);
    if (!found || this.#dragging) return null;
    const at = this.#columns.indexOf(found.column);
    const target = this.#columns[at + step];
    if (!target) return null;
    const original = structuredClone(found.ticket);
    found.column.tickets = found.column.tickets.toSpliced(found.index, 1);
    target.tickets = [...target.tickets, { ...found.ticket, column: target.id, status: target.category }];
    this.#columnOf.set(id, target.id);
    // No neighbours: the end of the column (SPEC §5).
    this.#send(original, { column: target.id });
    return target;
  }

  /** Adds `userId` to a card's assignees (kept as it is when already there); resolves to whether it changed. */
  async assign(id: number, userId: number): Promise<boolean> {
    const ticket = this.find(id)?.ticket;
    if (!ticket || ticket.assignees.includes(userId)) return false;
    try {
      const updated = await this.#api.patchTicket(id, {
        assignees: [...ticket.assignees, userId],
        version: ticket.version,
      });
      this.#whenIdle(() => this.#place(updated));
      return true;
    } catch (error) {
      this.#notices.error(
        `${ticket.key} was not assigned: ${error instanceof ApiError ? error.message : 'unexpected error'}`,
      );
      return false;
    }
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
