import {
  ApiError,
  uploadAttachment,
  type Activity,
  type Api,
  type Attachment,
  type ChecklistItem,
  type Column,
  type Comment,
  type Company,
  type Contact,
  type Field,
  type Me,
  type Member,
  type Priority,
  type Project,
  type ProjectRole,
  type Tag,
  type Ticket,
  type TicketPatch,
} from '#lib/api/index.ts';
import { untrack } from 'svelte';
import type { RealtimeConnection } from '#lib/realtime/connection.svelte.ts';
import { unknownEvent, type EventMessage } from '#lib/realtime/protocol.ts';
import { editScope, mayEditTicket } from '#lib/ticket-rules.ts';
import { messageOf, type Notices } from './notices.svelte.ts';
import { TimeState } from './time.svelte.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- SvelteKit declares App as a namespace
  namespace App {
    interface PageState {
      /** The ticket opened as a drawer over the board (shallow routing to /tickets/{id}). */
      ticket?: number;
    }
  }
}

/** Everything the ticket page shows, read in one go (by the page's `load` or by the drawer). */
export interface TicketData {
  ticket: Ticket;
  /** The project topic's seq the ticket was read at: follow the topic from it. */
  seq: number;
  project: Project | null;
  members: Member[];
  /** The project's columns, for naming them in the activity log (empty when they cannot be read). */
  columns: Column[];
  tags: Tag[];
  priorities: Priority[];
  companies: Company[];
  comments: Comment[];
  attachments: Attachment[];
  activity: Activity[];
  /** The project's custom fields, in order (empty when they cannot be read). */
  fields: Field[];
  checklist: ChecklistItem[];
}

/**
 * Reads a ticket and what its page needs. The ticket itself must be readable (its refusal,
 * a 404, propagates); the rest is optional, since a company person may not list the project's
 * members or tags: those parts are then empty.
 */
export async function loadTicketData(api: Api, id: number): Promise<TicketData> {
  // Everything else is read after the ticket, so all of it is at least as new as `seq`.
  const { seq, ...ticket } = await api.ticket(id);
  const optional = <T>(promise: Promise<T>, fallback: T) => promise.catch(() => fallback);
  const [project, members, columns, tags, priorities, companies, comments, attachments, activity, fields, checklist] =
    await Promise.all([
      optional(api.project(ticket.project), null),
      optional(
        api.members(ticket.project).then((p) => p.results),
        [],
      ),
      optional(
        api.columns(ticket.project).then((p) => p.results),
        [],
      ),
      optional(
        api.tags(ticket.project).then((p) => p.results),
        [],
      ),
      api.priorities(),
      optional(
        api.companies().then((p) => p.results),
        [],
      ),
      api.comments(id).then((p) => p.results),
      api.attachments(id).then((p) => p.results),
      optional(
        api.activity(id).then((p) => p.results),
        [],
      ),
      optional(
        api.fields(ticket.project).then((p) => p.results),
        [],
      ),
      api.checklist(id).then((p) => p.results),
    ]);
  return {
    ticket,
    seq,
    project,
    members,
    columns,
    tags,
    priorities,
    companies,
    comments,
    attachments,
    activity,
    fields,
    checklist,
  };
}

/** A comment with its replies, for rendering a thread. */
export interface CommentNode {
  comment: Comment;
  replies: CommentNode[];
}

/** A file being uploaded: `progress` 0..1, `error` once refused. */
export interface Upload {
  id: number;
  name: string;
  progress: number;
  error: string | null;
}

/** How an edit ended: saved, refused by a newer version (409, fresh ticket shown), or refused otherwise. */
export type EditResult = 'saved' | 'conflict' | 'refused';

/** Activity is re-read (not rebuilt from events) a little after the last change: one read per burst. */
const ACTIVITY_REFRESH_MS = 300;

/**
 * One open ticket: its fields, comments, attachments and activity, kept current by the
 * project topic's events; edits are applied at once and confirmed, or rolled back with a
 * message (a 409 shows the fresh ticket). Created by the page or the drawer and handed to the
 * ticket components.
 */
export class TicketState {
  /** The ticket as the server last confirmed it (a response, an event, a read). */
  #base = $state.raw() as Ticket;
  /** Edits sent or waiting to be sent, shown over `#base` until the server answers. */
  #pending = $state.raw<{ id: number; patch: Partial<Ticket> }[]>([]);
  /** What the user sees: the confirmed ticket with the edits in flight applied. */
  #ticket = $derived(this.#pending.reduce((t, edit) => ({ ...t, ...edit.patch }), this.#base));
  /** One PATCH at a time, so each carries the version the previous one produced. */
  #queue: Promise<unknown> = Promise.resolve();
  #nextEdit = 1;
  /** Versions our own saves produced: an editor opened before them is not stale because of them. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #ownVersions = new Set<number>();
  #comments = $state<Comment[]>([]);
  #attachments = $state<Attachment[]>([]);
  #activity = $state<Activity[]>([]);
  #tags = $state<Tag[]>([]);
  #columns = $state.raw<Column[]>([]);
  #fields = $state.raw<Field[]>([]);
  #checklist = $state.raw<ChecklistItem[]>([]);
  /** Bumped by every relation event of this ticket: the relations panel re-reads its list. */
  #relationChanges = $state(0);
  #contacts = $state<Contact[]>([]);
  #uploads = $state<Upload[]>([]);
  #deleted = $state(false);
  #nextUpload = 1;
  #activityTimer: ReturnType<typeof setTimeout> | undefined;
  #contactsFor: number | null | undefined = undefined;

  readonly project: Project | null;
  readonly members: Member[];
  readonly priorities: Priority[];
  readonly companies: Company[];
  readonly #api: Api;
  readonly #notices: Notices;
  readonly #me: () => Me | null;
  /** The ticket's time, for staff (time_tracking; its panel loads it). */
  readonly time: TimeState;

  constructor(data: TicketData, deps: { api: Api; notices: Notices; me: () => Me | null }) {
    this.time = new TimeState(data.ticket.id, deps);
    this.#api = deps.api;
    this.#notices = deps.notices;
    this.#me = deps.me;
    this.project = data.project;
    this.members = data.members;
    this.priorities = data.priorities;
    this.companies = data.companies;
    this.reset(data);
  }

  /** Takes freshly read data (after a resync). */
  reset(data: TicketData): void {
    this.#base = data.ticket;
    this.#comments = data.comments;
    this.#attachments = data.attachments;
    this.#activity = data.activity;
    this.#tags = data.tags;
    this.#columns = data.columns;
    this.#fields = data.fields;
    this.#checklist = data.checklist;
    this.#deleted = false;
  }

  get ticket(): Ticket {
    return this.#ticket;
  }
  get id(): number {
    return this.#ticket.id;
  }
  get topic(): string {
    return `project:${this.#ticket.project}`;
  }
  get comments(): readonly Comment[] {
    return this.#comments;
  }
  get attachments(): readonly Attachment[] {
    return this.#attachments;
  }
  get activity(): readonly Activity[] {
    return this.#activity;
  }
  get tags(): readonly Tag[] {
    return this.#tags;
  }
  get columns(): readonly Column[] {
    return this.#columns;
  }
  /** The project's custom fields, in display order. */
  get fields(): readonly Field[] {
    return this.#fields;
  }
  /** How many relation events of this ticket arrived (the relations panel re-reads on a change). */
  get relationChanges(): number {
    return this.#relationChanges;
  }

  /** The checklist in order. */
  get checklist(): readonly ChecklistItem[] {
    return this.#checklist;
  }
  get contacts(): readonly Contact[] {
    return this.#contacts;
  }
  get uploads(): readonly Upload[] {
    return this.#uploads;
  }
  /** The ticket was deleted while open. */
  get deleted(): boolean {
    return this.#deleted;
  }
  get me(): Me | null {
    return this.#me();
  }

  /** The caller's role in the project (null: a superuser who is no member, or a company person). */
  get role(): ProjectRole | null {
    return this.project?.role ?? this.#me()?.memberships.find((m) => m.project === this.#ticket.project)?.role ?? null;
  }

  /**
   * Whether the edit controls are offered (SPEC §4): a hint for the interface only; the
   * server decides, and a refusal is rolled back with its message.
   */
  get canEdit(): boolean {
    const me = this.#me();
    return mayEditTicket(editScope(me, this.role), me?.id, this.#ticket);
  }

  /** Assigning work is for superadmins and admins. */
  get canAssign(): boolean {
    return this.#me()?.is_superuser === true || this.role === 'superadmin' || this.role === 'admin';
  }

  /** Project members and superusers: they read and write internal notes (company people do not). */
  get isStaff(): boolean {
    return this.#me()?.is_superuser === true || this.role !== null;
  }

  /** Superadmins and admins may remove others' comments and files. */
  get canModerate(): boolean {
    return this.canAssign;
  }

  /** A member's display name; `#id` for someone the caller cannot list. */
  userName(id: number | null): string {
    if (id === null) return 'Someone';
    const me = this.#me();
    if (me?.id === id) return me.name || me.username;
    const member = this.members.find((m) => m.user.id === id)?.user;
    return member ? member.name || member.username : `User #${id}`;
  }

  /** The comments as threads: top-level comments in order, each with its replies. */
  get threads(): CommentNode[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built and read within this getter
    const nodes = new Map<number, CommentNode>();
    for (const comment of this.#comments) nodes.set(comment.id, { comment, replies: [] });
    const roots: CommentNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.comment.parent === null ? undefined : nodes.get(node.comment.parent);
      if (parent) parent.replies.push(node);
      else roots.push(node);
    }
    return roots;
  }

  /** Takes a confirmed ticket unless it is older than the one held (a replay, a late answer). */
  /** A patch as the ticket shows it meanwhile: custom field values merged, a null one removed. */
  #shown(patch: Omit<TicketPatch, 'version'>): Partial<Ticket> {
    const { fields, ...rest } = patch;
    if (!fields) return rest;
    const merged = { ...this.#ticket.fields };
    for (const [id, value] of Object.entries(fields)) {
      if (value === null) delete merged[id];
      else merged[id] = value;
    }
    return { ...rest, fields: merged };
  }

  #confirm(ticket: Ticket): void {
    // Only the single-ticket read carries `time_spent` (staff): events and PATCH answers keep ours.
    const spent = ticket.time_spent ?? this.#base.time_spent;
    if (ticket.version >= this.#base.version)
      this.#base = spent === undefined ? ticket : { ...ticket, time_spent: spent };
  }

  /**
   * Saves a change of fields: shown at once, then confirmed, or rolled back with a message.
   * Edits are sent one after another, each with the version the previous one produced.
   * `version` is the one an editor started from (the title, the description): if someone else
   * changed the ticket since, the save is a 409 and the fresh ticket is shown with a message.
   * Without it, a pick (priority, tags…) applies to the latest version.
   */
  update(patch: Omit<TicketPatch, 'version'>, version?: number): Promise<EditResult> {
    const edit: { id: number; patch: Partial<Ticket> } = { id: this.#nextEdit++, patch: this.#shown(patch) };
    this.#pending = [...this.#pending, edit];
    const send = async (): Promise<EditResult> => {
      let expected = version ?? this.#base.version;
      while (this.#ownVersions.has(expected + 1)) expected += 1;
      try {
        const saved = await this.#api.patchTicket(this.#base.id, { ...patch, version: expected });
        this.#ownVersions.add(saved.version);
        this.#confirm(saved);
        this.#scheduleActivity();
        return 'saved';
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          this.#notices.error(
            'This ticket was changed by someone else meanwhile, so your edit was not saved. The latest version is shown.',
          );
          await this.refreshTicket();
          return 'conflict';
        }
        this.#notices.error(`Not saved: ${messageOf(error)}`);
        return 'refused';
      } finally {
        // Confirmed, or rolled back: either way the edit no longer shows over the base.
        this.#pending = this.#pending.filter((e) => e.id !== edit.id);
      }
    };
    const result = this.#queue.then(send);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Reads the ticket again (after a conflict). */
  async refreshTicket(): Promise<void> {
    try {
      this.#confirm(await this.#api.ticket(this.#base.id));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.#deleted = true;
      else this.#notices.error(`The ticket could not be reloaded: ${messageOf(error)}`);
    }
  }

  /** Reads everything again (the topic's events were lost to a resync). */
  async refetch(): Promise<void> {
    const data = await loadTicketData(this.#api, this.#ticket.id);
    this.reset(data);
  }

  /** The contacts to offer: those of the ticket's company (all of them when it has none). */
  async loadContacts(): Promise<void> {
    const company = this.#ticket.company;
    if (this.#contactsFor === company) return;
    this.#contactsFor = company;
    try {
      const page = await this.#api.contactChoices(company);
      if (this.#contactsFor === company) this.#contacts = page.results;
    } catch {
      this.#contacts = [];
    }
  }

  /** Applies one event of the project topic: this ticket's, and the names it shows (tags, columns). */
  applyEvent(event: EventMessage): void {
    const id = this.#ticket.id;
    switch (event.type) {
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.moved':
      case 'ticket.archived':
      case 'ticket.unarchived':
        if (event.data.id !== id) return;
        // Older versions (a replay, or an event overtaken by our own PATCH's answer) are ignored.
        this.#confirm(event.data);
        return this.#scheduleActivity();
      case 'ticket.deleted':
        if (event.data.id === id) this.#deleted = true;
        return;
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted':
        if (event.data.ticket !== id) return;
        this.#putComment(event.data, event.type === 'comment.deleted');
        return this.#scheduleActivity();
      case 'attachment.created':
        if (event.data.ticket !== id) return;
        this.#putAttachment(event.data);
        return this.#scheduleActivity();
      case 'attachment.deleted': {
        const gone = event.data;
        if (gone.ticket !== id) return;
        this.#attachments = this.#attachments.filter((a) => a.id !== gone.id);
        return this.#scheduleActivity();
      }
      case 'tag.created':
      case 'tag.updated':
        return this.#putTag(event.data);
      case 'tag.deleted': {
        const gone = event.data.id;
        this.#tags = this.#tags.filter((t) => t.id !== gone);
        return;
      }
      case 'column.created':
      case 'column.updated':
      case 'column.moved': {
        const column = event.data;
        this.#columns = [...this.#columns.filter((c) => c.id !== column.id), column];
        return;
      }
      case 'column.deleted': {
        const gone = event.data.id;
        this.#columns = this.#columns.filter((c) => c.id !== gone);
        return;
      }
      case 'field.created':
      case 'field.updated':
      case 'field.moved':
      case 'field.deleted':
        return this.#applyField(event);
      case 'checklist.item_created':
      case 'checklist.item_updated':
      case 'checklist.item_deleted': {
        const change = event.data;
        if (change.ticket !== id) return;
        this.putChecklistItem(change, event.type === 'checklist.item_deleted');
        this.#base = { ...this.#base, checklist: change.checklist };
        return;
      }
      case 'relation.created':
      case 'relation.deleted': {
        const { from, to, to_blocked } = event.data;
        if (to === id) this.#base = { ...this.#base, blocked: to_blocked };
        if (from === id || to === id) this.#relationChanges++;
        return;
      }
      case 'time.entry_created':
      case 'time.entry_updated':
      case 'time.entry_deleted':
        if (event.data.ticket !== id) return;
        this.#base = { ...this.#base, time_spent: event.data.time_spent };
        this.time.apply(event);
        return;
      case 'ticket.sla_breached': {
        const sla = this.#base.sla;
        if (event.data.ticket === id && sla) this.#base = { ...this.#base, sla: { ...sla, breached: true } };
        return;
      }
      // Not shown with a ticket: the project's settings and members (read with the ticket), and
      // other topics' events.
      case 'project.created':
      case 'project.updated':
      case 'member.added':
      case 'member.updated':
      case 'member.removed':
      case 'chat.message':
      case 'notification.created':
      case 'notification.read':
        return;
      default:
        return unknownEvent(event);
    }
  }

  #putTag(tag: Tag): void {
    if (tag.project !== this.#ticket.project) return;
    const others = this.#tags.filter((t) => t.id !== tag.id);
    this.#tags = [...others, tag].sort((a, b) => a.name.localeCompare(b.name));
  }

  #applyField(event: Extract<EventMessage, { type: `field.${string}` }>): void {
    if (event.type === 'field.deleted') {
      const { id } = event.data;
      this.#fields = this.#fields.filter((f) => f.id !== id);
      return;
    }
    const field = event.data;
    if (field.project !== this.#ticket.project) return;
    this.#fields = [...this.#fields.filter((f) => f.id !== field.id), field].sort((a, b) =>
      a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
    );
  }

  /** Adds an item at the end (or after `after`). */
  addChecklistItem(text: string, after?: number): Promise<boolean> {
    return this.#notices.attempt(async () => {
      this.putChecklistItem(await this.#api.addChecklistItem(this.#base.id, { text, ...(after && { after }) }));
    }, 'The item was not added');
  }

  /** Changes an item's text or tick, or moves it after another (`after: null`: to the top). */
  changeChecklistItem(item: ChecklistItem, patch: { text?: string; done?: boolean; after?: number | null }) {
    // Shown at once; the answer (or the event) confirms it.
    this.putChecklistItem({
      ...item,
      ...(patch.text !== undefined && { text: patch.text }),
      ...(patch.done !== undefined && { done: patch.done }),
    });
    return this.#notices
      .attempt(async () => {
        this.putChecklistItem(await this.#api.patchChecklistItem(item.id, patch));
      }, 'The item was not saved')
      .then((ok) => {
        if (!ok) this.putChecklistItem(item);
        return ok;
      });
  }

  removeChecklistItem(item: ChecklistItem): Promise<boolean> {
    return this.#notices.attempt(async () => {
      await this.#api.deleteChecklistItem(item.id);
      this.putChecklistItem(item, true);
    }, 'The item was not removed');
  }

  /** Shows an item as the server has it now (from an answer or an event), in order. */
  putChecklistItem(item: ChecklistItem, deleted = false): void {
    const others = this.#checklist.filter((i) => i.id !== item.id);
    this.#checklist = deleted
      ? others
      : [...others, item].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  }

  #putComment(comment: Comment, deleted = false): void {
    // A deleted comment stays as a tombstone only while replies hang from it, as the server lists it.
    if (deleted && !this.#comments.some((c) => c.parent === comment.id)) {
      this.#comments = this.#comments.filter((c) => c.id !== comment.id);
      return;
    }
    const shown = deleted ? { ...comment, deleted: true, body: '' } : comment;
    const index = this.#comments.findIndex((c) => c.id === comment.id);
    if (index < 0) {
      if (!deleted) this.#comments.push(shown);
      return;
    }
    const current = this.#comments[index]!;
    // A replay may bring an older edit after a newer one was read: keep the newest text.
    if (!deleted && current.deleted) return;
    if (!deleted && (current.edited_at ?? '') > (comment.edited_at ?? '')) return;
    this.#comments[index] = shown;
  }

  #putAttachment(attachment: Attachment): void {
    if (!this.#attachments.some((a) => a.id === attachment.id)) this.#attachments.push(attachment);
  }

  /** Posts a comment (or a reply to `parent`; `internal`: a staff-only note); resolves to whether it was stored. */
  async addComment(body: string, parent: number | null = null, internal = false): Promise<boolean> {
    try {
      const comment = await this.#api.addComment(this.#ticket.id, { body, parent, internal });
      this.#putComment(comment);
      this.#scheduleActivity();
      return true;
    } catch (error) {
      this.#notices.error(`Comment not posted: ${messageOf(error)}`);
      return false;
    }
  }

  /** Edits one's own comment: shown at once, rolled back if refused. */
  async editComment(id: number, body: string): Promise<boolean> {
    const index = this.#comments.findIndex((c) => c.id === id);
    if (index < 0) return false;
    const before = this.#comments[index]!;
    this.#comments[index] = { ...before, body };
    try {
      this.#putComment(await this.#api.editComment(id, body));
      return true;
    } catch (error) {
      const now = this.#comments.findIndex((c) => c.id === id);
      if (now >= 0) this.#comments[now] = before;
      this.#notices.error(`Comment not saved: ${messageOf(error)}`);
      return false;
    }
  }

  /** Deletes a comment: a tombstone stays while it has replies, as the server keeps it. */
  async deleteComment(id: number): Promise<void> {
    const before = [...this.#comments];
    const comment = before.find((c) => c.id === id);
    if (!comment) return;
    this.#putComment(comment, true);
    try {
      await this.#api.deleteComment(id);
      this.#scheduleActivity();
    } catch (error) {
      this.#comments = before;
      this.#notices.error(`Comment not deleted: ${messageOf(error)}`);
    }
  }

  /** Uploads files one after the other, each with its progress; refusals stay listed with the server's reason. */
  async upload(files: readonly File[]): Promise<void> {
    for (const file of files) {
      const upload: Upload = { id: this.#nextUpload++, name: file.name, progress: 0, error: null };
      this.#uploads.push(upload);
      const entry = this.#uploads.find((u) => u.id === upload.id)!;
      try {
        const stored = await uploadAttachment(this.#ticket.id, file, (fraction) => (entry.progress = fraction));
        this.#putAttachment(stored);
        this.#uploads = this.#uploads.filter((u) => u.id !== upload.id);
        this.#scheduleActivity();
      } catch (error) {
        entry.error = messageOf(error);
        this.#notices.error(`${file.name} was not uploaded: ${entry.error}`);
      }
    }
  }

  /** Forgets a refused upload's line. */
  dismissUpload(id: number): void {
    this.#uploads = this.#uploads.filter((u) => u.id !== id);
  }

  async deleteAttachment(id: number): Promise<void> {
    const before = this.#attachments;
    this.#attachments = before.filter((a) => a.id !== id);
    try {
      await this.#api.deleteAttachment(id);
      this.#scheduleActivity();
    } catch (error) {
      this.#attachments = before;
      this.#notices.error(`File not deleted: ${messageOf(error)}`);
    }
  }

  #scheduleActivity(): void {
    clearTimeout(this.#activityTimer);
    this.#activityTimer = setTimeout(() => {
      this.#api.activity(this.#ticket.id).then(
        (page) => (this.#activity = page.results),
        () => {},
      );
    }, ACTIVITY_REFRESH_MS);
  }

  /**
   * Follows the project topic from `since` (a seq at or before the moment this ticket was
   * read; earlier is harmless, every event is applied idempotently). Returns the unsubscribe.
   */
  follow(connection: RealtimeConnection, since: number): () => void {
    // Untracked: callers follow from inside an effect, and reading the ticket there made every
    // change of it (our own save's event included) re-run the effect, subscribe again from
    // `since`, replay that event, change the ticket again… a loop re-rendering the page until
    // reload (issue 13 row 1). The topic is the project's, which a ticket never changes.
    const topic = untrack(() => this.topic);
    return connection.subscribe(topic, since, {
      event: (event) => this.applyEvent(event),
      resync: () => {
        this.refetch().catch(() => this.#notices.error('The ticket could not be reloaded. Refresh the page.'));
      },
      refused: (_code, message) => this.#notices.error(`Live updates are unavailable: ${message}`),
    });
  }

  /** Stops timers (the page or drawer closed). */
  dispose(): void {
    clearTimeout(this.#activityTimer);
  }
}
