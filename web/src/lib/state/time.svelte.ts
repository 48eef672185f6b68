import type { Api, TimeEntry, Timer } from '#lib/api/index.ts';
import type { EventMessage } from '#lib/realtime/protocol.ts';
import { messageOf, type Notices } from './notices.svelte.ts';

type TimeEvent = Extract<EventMessage, { type: 'time.entry_created' | 'time.entry_updated' | 'time.entry_deleted' }>;

/**
 * One ticket's time for staff (SPEC §14): its entries and the viewer's own running timer, which
 * lives on the server so a reload or another tab finds it running. Kept current by the ticket's
 * time events (`apply`), which only staff receive. Owned by the ticket's state.
 */
export class TimeState {
  #entries = $state.raw<TimeEntry[]>([]);
  #timer = $state.raw<Timer | null>(null);
  #loaded = $state(false);
  readonly #api: Api;
  readonly #notices: Notices;
  readonly #ticket: number;

  constructor(ticket: number, deps: { api: Api; notices: Notices }) {
    this.#ticket = ticket;
    this.#api = deps.api;
    this.#notices = deps.notices;
  }

  get entries(): readonly TimeEntry[] {
    return this.#entries;
  }
  /** The viewer's running timer, wherever it runs (null: none). */
  get timer(): Timer | null {
    return this.#timer;
  }
  /** Whether the viewer's timer runs on this ticket. */
  get running(): boolean {
    return this.#timer?.ticket === this.#ticket;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Reads the entries and the viewer's timer (staff only: the panel is not shown to others). */
  async load(): Promise<void> {
    try {
      const [page, mine] = await Promise.all([this.#api.timeEntries(this.#ticket), this.#api.myTimer()]);
      this.#entries = page.results;
      this.#timer = mine.timer;
      this.#loaded = true;
    } catch (error) {
      this.#notices.error(`Time could not be read: ${messageOf(error)}`);
    }
  }

  log(body: { minutes: number; note?: string; spent_on?: string }): Promise<boolean> {
    return this.#notices.attempt(
      async () => this.#put(await this.#api.logTime(this.#ticket, body)),
      'The time was not logged',
    );
  }

  change(entry: TimeEntry, body: { minutes?: number; note?: string; spent_on?: string }): Promise<boolean> {
    return this.#notices.attempt(
      async () => this.#put(await this.#api.patchTimeEntry(entry.id, body)),
      'The entry was not saved',
    );
  }

  remove(entry: TimeEntry): Promise<boolean> {
    return this.#notices.attempt(async () => {
      await this.#api.deleteTimeEntry(entry.id);
      this.#put(entry, true);
    }, 'The entry was not removed');
  }

  start(): Promise<boolean> {
    return this.#notices.attempt(async () => {
      this.#timer = await this.#api.startTimer(this.#ticket);
    }, 'The timer did not start');
  }

  stop(): Promise<boolean> {
    return this.#notices.attempt(async () => {
      const { entry } = await this.#api.stopTimer(this.#ticket);
      this.#timer = null;
      if (entry) this.#put(entry);
    }, 'The timer did not stop');
  }

  /** A time event of this ticket (another tab, a colleague, or our own echo). */
  apply(event: TimeEvent): void {
    const { project: _project, time_spent: _total, ...entry } = event.data;
    if (entry.ticket !== this.#ticket) return;
    this.#put(entry, event.type === 'time.entry_deleted');
  }

  #put(entry: TimeEntry, deleted = false): void {
    const others = this.#entries.filter((e) => e.id !== entry.id);
    this.#entries = deleted
      ? others
      : [...others, entry].sort((a, b) => b.spent_on.localeCompare(a.spent_on) || b.id - a.id);
  }
}

/** Minutes as "1 h 05 min", "45 min". */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}
