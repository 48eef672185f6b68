import type { Api, ResolvedTicket } from '#lib/api/index.ts';
import type { TicketLink } from '#lib/markdown.ts';

/** The server answers at most this many keys per request (`MAX_RESOLVE_KEYS`). */
const KEYS_PER_REQUEST = 100;

/**
 * Which ticket keys written in Markdown (`OPS-12`) the signed-in user may open, for this page
 * (decision 0052). Every Markdown block on the page hands in the keys it found; those asked for
 * in one tick go to the server in one request (`GET /tickets/resolve/`), which answers only the
 * tickets the user may see. A key it leaves out (hidden or absent: the same to us) stays plain
 * text. Answers are kept until the layout that made this is gone, so a comment list with twenty
 * keys costs one request, and a re-render none. Created by the app layout, handed down by context.
 */
export class TicketLinks {
  /**
   * A link, or null for a key to show as text; a key not here has not been answered yet. A
   * plain map replaced by each answer (answers are few; no page needs `svelte/reactivity` for it).
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never changed in place
  #known = $state.raw<ReadonlyMap<string, TicketLink | null>>(new Map());
  /** Asked for, not yet sent. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #wanted = new Set<string>();
  /** Sent, not yet answered. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #asking = new Set<string>();
  #scheduled = false;
  readonly #api: Pick<Api, 'resolveTicketKeys'>;
  readonly #href: (ticket: ResolvedTicket) => string;

  /** `href` is where a ticket opens for this user (the ticket page, or a client's portal page). */
  constructor(api: Pick<Api, 'resolveTicketKeys'>, href: (ticket: ResolvedTicket) => string) {
    this.#api = api;
    this.#href = href;
  }

  /** The link for `key`: a link, null (show as text), or undefined while not answered (reactive). */
  get(key: string): TicketLink | null | undefined {
    return this.#known.get(key);
  }

  /** Asks for the keys not known yet: all those asked for in one tick go in one request. */
  request(keys: readonly string[]): void {
    for (const key of keys) {
      if (!this.#known.has(key) && !this.#asking.has(key)) this.#wanted.add(key);
    }
    if (this.#wanted.size === 0 || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => void this.#send());
  }

  async #send(): Promise<void> {
    this.#scheduled = false;
    const keys = [...this.#wanted];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    this.#wanted = new Set();
    for (const key of keys) this.#asking.add(key);
    for (let at = 0; at < keys.length; at += KEYS_PER_REQUEST) {
      const batch = keys.slice(at, at + KEYS_PER_REQUEST);
      let found: ResolvedTicket[] = [];
      try {
        found = await this.#api.resolveTicketKeys(batch);
      } catch {
        // Unanswered keys stay text for this page: a link is a convenience, not worth a retry loop.
      }
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never changed in place
      const known = new Map(this.#known);
      for (const key of batch) {
        const ticket = found.find((t) => t.key === key);
        known.set(key, ticket ? { href: this.#href(ticket), title: ticket.title } : null);
        this.#asking.delete(key);
      }
      this.#known = known;
    }
  }

  /** Forgets every answer (another user signed in on this page). */
  reset(): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never changed in place
    this.#known = new Map();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    this.#wanted = new Set();
  }
}
