/** REST calls for a ticket's checklist (SPEC §14); types from the server's schema (type-only). */
import type { z } from 'zod';
import type { ChecklistItemSchema } from '../../../../server/src/schemas/checklists.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;

/** REST calls for checklist items. */
export function checklistCalls(call: Call) {
  return {
    checklist: (ticket: number) => call<Page<ChecklistItem>>('GET', `/tickets/${ticket}/checklist/?page_size=200`),
    addChecklistItem: (ticket: number, body: { text: string; done?: boolean; after?: number }) =>
      call<ChecklistItem>('POST', `/tickets/${ticket}/checklist/`, body),
    /** `after: null` moves the item to the top. */
    patchChecklistItem: (id: number, body: { text?: string; done?: boolean; after?: number | null }) =>
      call<ChecklistItem>('PATCH', `/checklist-items/${id}/`, body),
    deleteChecklistItem: (id: number) => call<void>('DELETE', `/checklist-items/${id}/`),
  };
}
