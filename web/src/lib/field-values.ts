/**
 * How custom field values read on a card, in a table cell or a CSV column. Display only, so it
 * lives beside the components rather than in `api/` (which pulls in SvelteKit's navigation).
 */
import type { Field } from './api/fields.ts';

/** A value as text, for a card, a table cell or a CSV column (`userName` names a user id). */
export function fieldText(field: Field, value: unknown, userName: (id: number) => string = (id) => `#${id}`): string {
  if (value === undefined || value === null) return '';
  const label = (id: unknown) => field.options.find((o) => o.id === id)?.label ?? `#${String(id)}`;
  switch (field.type) {
    case 'select':
      return label(value);
    case 'multi_select':
      return Array.isArray(value) ? value.map(label).join(', ') : '';
    case 'checkbox':
      return value === true ? 'Yes' : 'No';
    case 'user':
      return typeof value === 'number' ? userName(value) : '';
    default:
      return String(value);
  }
}

/** The colour of a select value's option, if it has one. */
export function fieldColour(field: Field, value: unknown): string | null {
  if (field.type !== 'select') return null;
  return field.options.find((o) => o.id === value)?.colour ?? null;
}
