/** REST calls for canned responses (SPEC §13). */
import type { z } from 'zod';
import type { ReplySchema } from '../../../../server/src/schemas/replies.ts';
import type { Contact, Page } from './types.ts';

export type CannedReply = z.infer<typeof ReplySchema>;

/** client.ts's request function, spelled out: importing it back would be a cycle. */
type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

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
