/**
 * REST calls for a project's custom fields (SPEC §14) and the helpers that show their values.
 * The types come from the server's schema (type-only), like every resource of `types.ts`.
 */
import type { z } from 'zod';
import type { FieldSchema, FieldValueSchema } from '../../../../server/src/schemas/fields.ts';
import type { Call } from './request.ts';
import type { Page } from './types.ts';

export type Field = z.infer<typeof FieldSchema>;
export type FieldType = Field['type'];
export type FieldValue = z.infer<typeof FieldValueSchema>;

/** The editable part of a field; `options` is the whole list (an option left out is removed with its values). */
export interface FieldEdit {
  name?: string;
  options?: { id?: number; label: string; colour?: string | null }[];
  required?: boolean;
  show_on_card?: boolean;
}

/** REST calls for custom field definitions. */
export function fieldCalls(call: Call) {
  return {
    fields: (project: number) => call<Page<Field>>('GET', `/projects/${project}/fields/?page_size=200`),
    createField: (project: number, body: FieldEdit & { name: string; type: FieldType }) =>
      call<Field>('POST', `/projects/${project}/fields/`, body),
    patchField: (id: number, body: FieldEdit) => call<Field>('PATCH', `/fields/${id}/`, body),
    deleteField: (id: number) => call<void>('DELETE', `/fields/${id}/`),
    moveField: (id: number, target: { before?: number; after?: number }) =>
      call<Field>('POST', `/fields/${id}/move/`, target),
  };
}
