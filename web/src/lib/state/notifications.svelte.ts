import type { Api, Notification } from '#lib/api/index.ts';
import type { RealtimeConnection } from '#lib/realtime/connection.svelte.ts';
import { unknownEvent, type EventMessage } from '#lib/realtime/protocol.ts';

/** How many of the newest notifications are kept in the list. */
export const NOTIFICATIONS_SHOWN = 50;

/** The API calls the notifications make. */
export type NotificationsApi = Pick<Api, 'notifications' | 'readNotification' | 'readAllNotifications'>;

/**
 * The signed-in user's notifications: the unread count (the menu's badge) and the newest ones,
 * live on the user's topic (`notification.created`, and `notification.read` from any tab).
 * Created once by the app layout, handed down by context.
 *
 * Events are applied idempotently (a known id is not added twice, a read one not read twice),
 * so an event that a concurrent reload already reflects changes nothing, and events received
 * while a reload is in flight are applied again on top of its result.
 */
export class NotificationsState {
  #items = $state<Notification[]>([]);
  #unread = $state(0);
  #loaded = $state(false);
  readonly #api: NotificationsApi;
  /** Events seen while a reload is in flight: applied again over its result. */
  #during: EventMessage[] | null = null;
  #countTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: NotificationsApi) {
    this.#api = api;
  }

  /** The newest notifications, newest first. */
  get items(): readonly Notification[] {
    return this.#items;
  }
  get unread(): number {
    return this.#unread;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  /** (Re)reads the newest notifications and the unread count; resolves to the user topic's seq they reflect. */
  async load(): Promise<number> {
    const during: EventMessage[] = [];
    this.#during = during;
    let seq: number;
    try {
      const [list, unread] = await Promise.all([
        this.#api.notifications({ page_size: NOTIFICATIONS_SHOWN }),
        this.#api.notifications({ unread: true, page_size: 1 }),
      ]);
      this.#items = list.results;
      this.#unread = unread.count;
      this.#loaded = true;
      seq = list.seq;
    } finally {
      if (this.#during === during) this.#during = null;
    }
    for (const event of during) this.applyEvent(event);
    return seq;
  }

  /**
   * Loads the newest notifications, then follows the user's topic from the seq the list was
   * read at (so no event falls between the two); reconnects resume from the last event seen.
   * Returns the function that stops following and forgets the list.
   */
  follow(connection: RealtimeConnection, userId: number, onError: () => void): () => void {
    const topic = `user:${userId}`;
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    this.load().then((seq) => {
      if (stopped) return;
      unsubscribe = connection.subscribe(topic, seq, {
        event: (event) => this.applyEvent(event),
        resync: () =>
          void this.load().then(
            (fresh) => connection.resume(topic, fresh),
            () => onError(),
          ),
      });
    }, onError);
    return () => {
      stopped = true;
      unsubscribe?.();
      this.reset();
    };
  }

  /** Applies one event of the user's topic (idempotently: see the class comment). */
  applyEvent(event: EventMessage): void {
    this.#during?.push(event);
    switch (event.type) {
      case 'notification.created': {
        const created = event.data;
        if (this.#items.some((n) => n.id === created.id)) return;
        this.#items.unshift(created);
        if (this.#items.length > NOTIFICATIONS_SHOWN) this.#items.pop();
        if (created.read_at === null) this.#unread += 1;
        return;
      }
      case 'notification.read': {
        const { ids } = event.data;
        this.#markLocally(ids, event.at);
        // Some were not in the list (older ones): only the server can say how many are left.
        if (ids.some((id) => !this.#items.some((n) => n.id === id))) this.#refreshCount();
        return;
      }
      // Other topics' events: a user's topic carries only notifications.
      case 'project.created':
      case 'project.updated':
      case 'member.added':
      case 'member.updated':
      case 'member.removed':
      case 'column.created':
      case 'column.updated':
      case 'column.moved':
      case 'column.deleted':
      case 'tag.created':
      case 'tag.updated':
      case 'tag.deleted':
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.moved':
      case 'ticket.archived':
      case 'ticket.unarchived':
      case 'ticket.deleted':
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted':
      case 'attachment.created':
      case 'attachment.deleted':
      case 'field.created':
      case 'field.updated':
      case 'field.moved':
      case 'field.deleted':
      case 'checklist.item_created':
      case 'checklist.item_updated':
      case 'checklist.item_deleted':
      case 'relation.created':
      case 'relation.deleted':
      case 'time.entry_created':
      case 'time.entry_updated':
      case 'time.entry_deleted':
      case 'ticket.sla_breached':
      case 'chat.message':
        return;
      default:
        return unknownEvent(event);
    }
  }

  /** Marks one read (at once here; the server tells the other tabs). */
  async markRead(id: number): Promise<void> {
    const item = this.#items.find((n) => n.id === id);
    if (!item || item.read_at !== null) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, never mutated
    this.#markLocally([id], new Date().toISOString());
    try {
      await this.#api.readNotification(id);
    } catch (error) {
      await this.load().catch(() => undefined);
      throw error;
    }
  }

  /** Marks every unread one read. */
  async markAllRead(): Promise<void> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, never mutated
    const now = new Date().toISOString();
    for (const item of this.#items) if (item.read_at === null) item.read_at = now;
    this.#unread = 0;
    try {
      await this.#api.readAllNotifications();
    } catch (error) {
      await this.load().catch(() => undefined);
      throw error;
    }
  }

  reset(): void {
    clearTimeout(this.#countTimer);
    this.#items = [];
    this.#unread = 0;
    this.#loaded = false;
    this.#during = null;
  }

  #markLocally(ids: readonly number[], at: string): void {
    for (const item of this.#items) {
      if (item.read_at === null && ids.includes(item.id)) {
        item.read_at = at;
        this.#unread = Math.max(0, this.#unread - 1);
      }
    }
  }

  #refreshCount(): void {
    clearTimeout(this.#countTimer);
    this.#countTimer = setTimeout(() => {
      this.#api.notifications({ unread: true, page_size: 1 }).then(
        (page) => (this.#unread = page.count),
        () => undefined,
      );
    }, 100);
  }
}
