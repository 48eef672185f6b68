import { ApiError, type Api } from '#lib/api/client.ts';
import {
  uploadAttachment,
  type Activity,
  type Attachment,
  type Comment,
  type CompanyRef,
  type ContactRef,
  type Priority,
  type TicketPatch,
} from '#lib/api/tickets.ts';
import type { ChecklistItem } from '#lib/api/checklists.ts';
import type { Field } from '#lib/api/fields.ts';
import type { Me, Member, Project, ProjectRole, Tag, Ticket } from '#lib/api/types.ts';
import type { RealtimeConnection } from '#lib/realtime/connection.svelte.ts';
import type { EventMessage } from '#lib/realtime/protocol.ts';
import type { Notices } from './notices.svelte.ts';

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
  tags: Tag[];
  priorities: Priority[];
  companies: CompanyRef[];
  comments: Comment[];
  attachments: Attachment[];
  activity: Activity[];
  /** The project's custom fields, in order (empty when they cannot be read). */
  fields: Field[];
  checklist: ChecklistItem[];
}

/** The seeded priorities (SPEC §3), used when `GET /priorities/` cannot be read. */
const DEFAULT_PRIORITIES: Priority[] = [
  { id: 1, name: 'Low', colour: '#64748b' },
  { id: 2, name: 'Medium', colour: '#2563eb' },
  { id: 3, name: 'High', colour: '#f59e0b' },
  { id: 4, name: 'Urgent', colour: '#dc2626' },
];

/**
 * Reads a ticket and what its page needs. The ticket itself must be readable (its refusal,
 * a 404, propagates); the rest is optional, since a company person may not list the project's
 * members or tags: those parts are then empty.
 */
export async function loadTicketData(api: Api, id: number): Promise<TicketData> {
  // Everything else is read after the ticket, so all of it is at least as new as `seq`.
  const { seq, ...ticket } = await api.ticket(id);
  const optional = <T>(promise: Promise<T>, fallback: T) => promise.catch(() => fallback);
  const [project, members, tags, priorities, companies, comments, attachments, activity, fields, checklist] =
    await Promise.all([
      optional(api.project(ticket.project), null),
      optional(
        api.members(ticket.project).then((p) => p.results),
        [],
      ),
      optional(
        api.tags(ticket.project).then((p) => p.results),
        [],
      ),
      optional(
        api.priorities().then((p) => p.results),
        DEFAULT_PRIORITIES,
      ),
      optional(
        api.companyChoices().then((p) => p.results),
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

const TICKET_EVENTS = new Set([
  'ticket.created',
  'ticket.updated',
  'ticket.moved',
  'ticket.archived',
  'ticket.unarchived',
]);
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
  #fields = $state.raw<Field[]>([]);
  #checklist = $state.raw<ChecklistItem[]>([]);
  #contacts = $state<ContactRef[]>([]);
  #uploads = $state<Upload[]>([]);
  #deleted = $state(false);
  #nextUpload = 1;
  #activityTimer: ReturnType<typeof setTimeout> | undefined;
  #contactsFor: number | null | undefined = undefined;

  readonly project: Project | null;
  readonly members: Member[];
  readonly priorities: Priority[];
  readonly companies: CompanyRef[];
  readonly #api: Api;
  readonly #notices: Notices;
  readonly #me: () => Me | null;

  constructor(data: TicketData, deps: { api: Api; notices: Notices; me: () => Me | null }) {
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
  /** The project's custom fields, in display order. */
  get fields(): readonly Field[] {
    return this.#fields;
  }
  /** The checklist in order. */
  get checklist(): readonly ChecklistItem[] {
    return this.#checklist;
  }
  get contacts(): readonly ContactRef[] {
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
    if (!me) return false;
    if (me.is_superuser || this.role === 'superadmin' || this.role === 'admin') return true;
    return this.role === 'user' && (this.#ticket.reporter === me.id || this.#ticket.assignees.includes(me.id));
  }

  /** Assigning work is for superadmins and admins. */
  get canAssign(): boolean {
    return this.#me()?.is_superuser === true || this.role === 'superadmin' || this.role === 'admin';
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
  #confirm(ticket: Ticket): void {
    if (ticket.version >= this.#base.version) this.#base = ticket;
  }

  /**
   * Saves a change of fields: shown at once, then confirmed, or rolled back with a message.
   * Edits are sent one after another, each with the version the previous one produced.
   * `version` is the one an editor started from (the title, the description): if someone else
   * changed the ticket since, the save is a 409 and the fresh ticket is shown with a message.
   * Without it, a pick (priority, tags…) applies to the latest version.
   */
  update(patch: Omit<TicketPatch, 'version'>, version?: number): Promise<EditResult> {
    const edit = { id: this.#nextEdit++, patch: patch as Partial<Ticket> };
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

  /** Applies one event of the project topic; only this ticket's are taken. */
  applyEvent(event: EventMessage): void {
    const data = event.data as Record<string, unknown> | null;
    if (!data) return;
    if (event.type.startsWith('tag.')) return this.#applyTag(event.type, data as unknown as Tag);
    if (event.type.startsWith('field.')) return this.#applyField(event.type, data as unknown as Field);
    const id = this.#ticket.id;
    if (TICKET_EVENTS.has(event.type)) {
      const ticket = data as unknown as Ticket;
      if (ticket.id !== id) return;
      // Older versions (a replay, or an event overtaken by our own PATCH's answer) are ignored.
      this.#confirm(ticket);
      this.#scheduleActivity();
      return;
    }
    if (event.type === 'ticket.deleted') {
      if (data.id === id) this.#deleted = true;
      return;
    }
    if (data.ticket !== id) return;
    switch (event.type) {
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted':
        this.#putComment(data as unknown as Comment, event.type === 'comment.deleted');
        break;
      case 'attachment.created':
        this.#putAttachment(data as unknown as Attachment);
        break;
      case 'attachment.deleted':
        this.#attachments = this.#attachments.filter((a) => a.id !== data.id);
        break;
      case 'checklist.item_created':
      case 'checklist.item_updated':
      case 'checklist.item_deleted':
        this.putChecklistItem(data as unknown as ChecklistItem, event.type === 'checklist.item_deleted');
        this.#base = { ...this.#base, checklist: data.checklist as Ticket['checklist'] };
        break;
      default:
        return;
    }
    this.#scheduleActivity();
  }

  #applyTag(type: string, tag: Tag): void {
    if (tag.project !== this.#ticket.project) return;
    const others = this.#tags.filter((t) => t.id !== tag.id);
    this.#tags = type === 'tag.deleted' ? others : [...others, tag].sort((a, b) => a.name.localeCompare(b.name));
  }

  #applyField(type: string, field: Field): void {
    const others = this.#fields.filter((f) => f.id !== field.id);
    if (type === 'field.deleted') this.#fields = others;
    else if (field.project === this.#ticket.project) {
      this.#fields = [...others, field].sort((a, b) =>
        a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
      );
    }
  }

  /** Runs one checklist call; a refusal is shown as a notice. Resolves to whether it was done. */
  async #checklistCall(run: () => Promise<void>, what: string): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      this.#notices.error(`${what}: ${messageOf(error)}`);
      return false;
    }
  }

  /** Adds an item at the end (or after `after`). */
  addChecklistItem(text: string, after?: number): Promise<boolean> {
    return this.#checklistCall(async () => {
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
    return this.#checklistCall(async () => {
      this.putChecklistItem(await this.#api.patchChecklistItem(item.id, patch));
    }, 'The item was not saved').then((ok) => {
      if (!ok) this.putChecklistItem(item);
      return ok;
    });
  }

  removeChecklistItem(item: ChecklistItem): Promise<boolean> {
    return this.#checklistCall(async () => {
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

  /** Posts a comment (or a reply to `parent`); resolves to whether it was stored. */
  async addComment(body: string, parent: number | null = null): Promise<boolean> {
    try {
      const comment = await this.#api.addComment(this.#ticket.id, { body, parent });
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
    return connection.subscribe(this.topic, since, {
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
