import { ApiError, uploadAttachment, type Attachment, type Comment, type Ticket } from '#lib/api/index.ts';
import type { createApi } from '#lib/api/index.ts';

type Api = ReturnType<typeof createApi>;

/** A file on its way up: its name and progress 0..1, or the server's refusal. */
export interface PortalUpload {
  id: number;
  name: string;
  progress: number;
  error: string | null;
}

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong');

/**
 * One ticket as its client sees it in the portal: the ticket, its visible comments (the server
 * never lists internal notes to company people), its files with uploads in progress, and
 * close/reopen. Comments follow the project topic's `comment.*` events (`apply`), which the
 * server sends company people for visible comments only.
 */
export class PortalTicketState {
  #api: Api;
  #ticket = $state<Ticket>() as Ticket;
  #comments = $state<Comment[]>([]);
  #attachments = $state<Attachment[]>([]);
  #uploads = $state<PortalUpload[]>([]);
  #nextUpload = 1;
  #busy = $state(false);
  #error = $state<string | null>(null);

  constructor(api: Api, ticket: Ticket) {
    this.#api = api;
    this.#ticket = ticket;
  }

  get ticket(): Ticket {
    return this.#ticket;
  }
  get comments(): readonly Comment[] {
    return this.#comments;
  }
  get attachments(): readonly Attachment[] {
    return this.#attachments;
  }
  get uploads(): readonly PortalUpload[] {
    return this.#uploads;
  }
  /** A close/reopen or comment request is in flight. */
  get busy(): boolean {
    return this.#busy;
  }
  /** The last refusal, in the server's words. */
  get error(): string | null {
    return this.#error;
  }
  get closed(): boolean {
    return this.#ticket.status === 'done';
  }

  /** Reads the comments and files (after mount: the page itself renders from the ticket alone). */
  async load(): Promise<void> {
    const [comments, attachments] = await Promise.all([
      this.#api.comments(this.#ticket.id),
      this.#api.attachments(this.#ticket.id),
    ]);
    this.#comments = comments.results.filter((c) => !c.deleted || comments.results.some((r) => r.parent === c.id));
    this.#attachments = attachments.results;
  }

  /** A live comment event of this ticket: added, replaced or dropped. */
  applyComment(comment: Comment, deleted: boolean): void {
    if (comment.ticket !== this.#ticket.id || comment.internal) return;
    const index = this.#comments.findIndex((c) => c.id === comment.id);
    if (deleted) {
      this.#comments = this.#comments.filter((c) => c.id !== comment.id);
      return;
    }
    if (index < 0) this.#comments.push(comment);
    else this.#comments[index] = comment;
  }

  /** A live ticket event: its status and fields as they now are. */
  applyTicket(ticket: Ticket): void {
    if (ticket.id === this.#ticket.id) this.#ticket = ticket;
  }

  async addComment(body: string): Promise<boolean> {
    this.#busy = true;
    this.#error = null;
    try {
      this.applyComment(await this.#api.addComment(this.#ticket.id, { body }), false);
      return true;
    } catch (error) {
      this.#error = `Comment not posted: ${messageOf(error)}`;
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** Closes (solved) or reopens the ticket. */
  async setClosed(closed: boolean): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      const id = this.#ticket.id;
      this.#ticket = closed ? await this.#api.closeTicket(id) : await this.#api.reopenTicket(id);
    } catch (error) {
      this.#error = messageOf(error);
    } finally {
      this.#busy = false;
    }
  }

  /** Uploads files one after the other, each with its progress; refusals stay listed with the reason. */
  async upload(files: readonly File[]): Promise<void> {
    for (const file of files) {
      const id = this.#nextUpload++;
      this.#uploads.push({ id, name: file.name, progress: 0, error: null });
      const entry = this.#uploads.find((u) => u.id === id)!;
      try {
        const stored = await uploadAttachment(this.#ticket.id, file, (fraction) => (entry.progress = fraction));
        if (!this.#attachments.some((a) => a.id === stored.id)) this.#attachments.push(stored);
        this.#uploads = this.#uploads.filter((u) => u.id !== id);
      } catch (error) {
        entry.error = messageOf(error);
      }
    }
  }

  dismissUpload(id: number): void {
    this.#uploads = this.#uploads.filter((u) => u.id !== id);
  }
}
