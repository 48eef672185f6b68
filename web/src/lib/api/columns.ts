import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Column, ColumnPatch, ColumnPlace, NewColumn, Page } from './types.ts';

/** A project's columns (`/columns/…`). */
export function columnCalls(call: Call) {
  return {
    columns: (project: number) => call<Page<Column>>('GET', `/columns/${query({ project, page_size: 200 })}`),
    createColumn: (project: number, fields: Omit<NewColumn, 'project'>) =>
      call<Column>('POST', '/columns/', { project, ...fields }),
    patchColumn: (id: number, fields: ColumnPatch) => call<Column>('PATCH', `/columns/${id}/`, fields),
    /** Deletes a column; with `moveTo`, its tickets (archived too) move there first, in one transaction. */
    deleteColumn: (id: number, moveTo?: number) => call<void>('DELETE', `/columns/${id}/${query({ move_to: moveTo })}`),
    moveColumn: (id: number, place: ColumnPlace) => call<Column>('POST', `/columns/${id}/move/`, place),
  };
}
