/** REST calls for canned responses (SPEC §13). */
import type { z } from 'zod';
import type { ReplySchema } from '../../../../server/src/schemas/replies.ts';
import type { Call } from './request.ts';
import type { Contact, Page } from './types.ts';

export type CannedReply = z.infer<typeof ReplySchema>;

/** Canned responses of a project: list, add, edit, remove. */
export function replyCalls(call: Call) {
  return {
    replies: (project: number) => call<Page<CannedReply>>('GET', `/projects/${project}/replies/?page_size=200`),
    createReply: (project: number, fields: { name: string; body: string }) =>
      call<CannedReply>('POST', `/projects/${project}/replies/`, fields),
    patchReply: (id: number, fields: { name?: string; body?: string }) =>
      call<CannedReply>('PATCH', `/replies/${id}/`, fields),
    deleteReply: (id: number) => call<void>('DELETE', `/replies/${id}/`),
    contact: (id: number) => call<Contact>('GET', `/contacts/${id}/`),
  };
}
