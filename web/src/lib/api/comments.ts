import type { Call } from './request.ts';
import type { Comment, NewComment, Page } from './types.ts';

/** A ticket's comments (`/tickets/{id}/comments/`, `/comments/…`). */
export function commentCalls(call: Call) {
  return {
    comments: (ticket: number) => call<Page<Comment>>('GET', `/tickets/${ticket}/comments/?page_size=200`),
    addComment: (ticket: number, body: NewComment) => call<Comment>('POST', `/tickets/${ticket}/comments/`, body),
    editComment: (id: number, body: string) => call<Comment>('PATCH', `/comments/${id}/`, { body }),
    deleteComment: (id: number) => call<void>('DELETE', `/comments/${id}/`),
  };
}
