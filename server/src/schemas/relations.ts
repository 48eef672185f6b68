import { z } from '@hono/zod-openapi';
import { Status } from './tickets.ts';

/** What a body may ask for: the active direction, from the ticket in the path. */
export const RelationKind = z.enum(['relates', 'blocks', 'duplicates']);
/** How a relation reads from one ticket's end: the stored kind, or its inverse. */
export const RelationView = z.enum(['relates', 'blocks', 'blocked_by', 'duplicates', 'duplicated_by']);

export const RelationSchema = z
  .object({
    id: z.number().int(),
    kind: RelationView.openapi({ description: "From the path ticket's side: `blocked_by` is another's `blocks`" }),
    ticket: z
      .object({ id: z.number().int(), key: z.string(), title: z.string(), status: Status, project: z.number().int() })
      .openapi({ description: 'The ticket at the other end' }),
    created_at: z.string(),
  })
  .openapi('Relation');
export type Relation = z.infer<typeof RelationSchema>;

/** A relation event: both ends by id and key, and whether the `to` ticket is now blocked. */
export interface RelationChange {
  id: number;
  kind: z.infer<typeof RelationKind>;
  from: number;
  to: number;
  from_key: string;
  to_key: string;
  /** The `to` ticket's `blocked` after the change (the board marks the card). */
  to_blocked: boolean;
}
