/** REST calls for relations between tickets (SPEC §14); types from the server's schema (type-only). */
import type { z } from 'zod';
import type { RelationKind, RelationSchema } from '../../../../server/src/schemas/relations.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type Relation = z.infer<typeof RelationSchema>;
export type NewRelationKind = z.infer<typeof RelationKind>;

/** REST calls for a ticket's relations. */
export function relationCalls(call: Call) {
  return {
    relations: (ticket: number) => call<Page<Relation>>('GET', `/tickets/${ticket}/relations/?page_size=200`),
    addRelation: (ticket: number, body: { kind: NewRelationKind; ticket: number }) =>
      call<Relation>('POST', `/tickets/${ticket}/relations/`, body),
    deleteRelation: (id: number) => call<void>('DELETE', `/relations/${id}/`),
  };
}
