import { API, ApiError, parseJson, refusal, type Call } from './request.ts';
import type { Attachment, Page } from './types.ts';

/** A ticket's files (`/tickets/{id}/attachments/`, `/attachments/…`); uploads go through {@link uploadAttachment}. */
export function attachmentCalls(call: Call) {
  return {
    attachments: (ticket: number) => call<Page<Attachment>>('GET', `/tickets/${ticket}/attachments/?page_size=200`),
    deleteAttachment: (id: number) => call<void>('DELETE', `/attachments/${id}/`),
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
      const json = parseJson(request.responseText);
      if (request.status === 201) {
        onprogress(1);
        resolve(json as Attachment);
        return;
      }
      const fallback =
        request.status === 413 ? 'The file is too large' : `The server answered ${request.status || 'nothing'}`;
      reject(refusal(request.status, json, fallback));
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
