import { z } from '@hono/zod-openapi';

export const ChecklistItemSchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int(),
    text: z.string(),
    done: z.boolean(),
    position: z.string().openapi({ description: 'Fractional-index key; order within the checklist' }),
    created_at: z.string(),
  })
  .openapi('ChecklistItem');
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;

/** A ticket's checklist progress, as the ticket and the card show it ("3/5"). */
export const ChecklistProgressSchema = z
  .object({ done: z.number().int(), total: z.number().int() })
  .openapi('ChecklistProgress');
export type ChecklistProgress = z.infer<typeof ChecklistProgressSchema>;

/**
 * What a checklist event carries: the item, the ticket's progress after the change, and the
 * ticket's company (the hub shows company people only their companies' tickets' events).
 */
export type ChecklistChange = ChecklistItem & { company: number | null; checklist: ChecklistProgress };
