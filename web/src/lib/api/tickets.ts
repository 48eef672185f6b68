import type { FieldValue } from './fields.ts';
import { API, ApiError, query, type Call } from './client.ts';
import type { Activity, Attachment, Comment, Page, Priority, Ticket } from './types.ts';
export type { Activity, Attachment, Comment, Priority };

/** The fields of a company and a contact the ticket page shows. */
export interface CompanyRef {
  id: number;
  name: string;
}
export interface ContactRef {
  id: number;
  company: number | null;
  name: string;
  email: string;
}

/** The editable fields of a ticket (`PATCH /tickets/{id}/`); `version` makes a stale edit a 409. */
export interface TicketPatch {
  title?: string;
  description?: string;
  priority_id?: number;
  company?: number | null;
  contact?: number | null;
  assignees?: number[];
  tags?: number[];
  due_at?: string | null;
  /** Custom field values by field id (null clears one); fields left out keep their values. */
  fields?: Record<string, FieldValue | null>;
  version?: number;
}

/** REST calls for the ticket page and drawer: ticket detail and edit, comments, attachments, activity. */
export function ticketCalls(call: Call) {
  return {
    /** The ticket, and its project topic's `seq` it was read at (subscribe from it). */
    ticket: (id: number) => call<Ticket & { seq: number }>('GET', `/tickets/${id}/`),
    patchTicket: (id: number, body: TicketPatch) => call<Ticket>('PATCH', `/tickets/${id}/`, body),
    priorities: () => call<Page<Priority>>('GET', '/priorities/'),
    comments: (ticket: number) => call<Page<Comment>>('GET', `/tickets/${ticket}/comments/?page_size=200`),
    addComment: (ticket: number, body: { body: string; parent?: number | null }) =>
      call<Comment>('POST', `/tickets/${ticket}/comments/`, body),
    editComment: (id: number, body: string) => call<Comment>('PATCH', `/comments/${id}/`, { body }),
    deleteComment: (id: number) => call<void>('DELETE', `/comments/${id}/`),
    attachments: (ticket: number) => call<Page<Attachment>>('GET', `/tickets/${ticket}/attachments/?page_size=200`),
    deleteAttachment: (id: number) => call<void>('DELETE', `/attachments/${id}/`),
    activity: (ticket: number) => call<Page<Activity>>('GET', `/tickets/${ticket}/activity/?page_size=100`),
    /** Companies to pick from (staff see all, company people their own). */
    companyChoices: () => call<Page<CompanyRef>>('GET', '/companies/?page_size=200&ordering=name'),
    /** Contacts to pick from, of one company or of all. */
    contactChoices: (company: number | null) =>
      call<Page<ContactRef>>('GET', `/contacts/${query({ company, page_size: 200, ordering: 'name' })}`),
  };
}

/**
 * Uploads one file to a ticket as multipart field `file`. XMLHttpRequest rather than `fetch`
 * because only it reports upload progress; `onprogress` gets 0..1. A refusal (413, 415, …)
 * rejects with the server's message as an {@link ApiError}.
 */
export function uploadAttachment(
  ticket: number,
  file: File,
  onprogress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${API}/tickets/${ticket}/attachments/`);
    request.responseType = 'text';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onprogress(event.loaded / event.total);
    };
    request.onload = () => {
      let json: unknown = null;
      try {
        json = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        // A proxy's HTML error page: reported by status below.
      }
      if (request.status === 201) {
        onprogress(1);
        resolve(json as Attachment);
        return;
      }
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      const fallback =
        request.status === 413 ? 'The file is too large' : `The server answered ${request.status || 'nothing'}`;
      reject(new ApiError(request.status, error?.code ?? 'http_error', error?.message ?? fallback, error?.details));
    };
    request.onerror = () =>
      reject(new ApiError(0, 'network', 'The upload failed: the server cannot be reached. Try again.'));
    request.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
