import { badRequest } from './errors.ts';

/**
 * Refuses a body that names ids which do not exist (or are not allowed there): a 400 listing
 * each missing id under the body's field name.
 *
 * @example assertAllFound(ids, rows, 'tags', 'Unknown tags', (id) => `No tag ${id} in this project`);
 */
export function assertAllFound(
  wanted: readonly number[],
  found: readonly { id: number }[],
  field: string,
  message: string,
  describe: (id: number) => string,
): void {
  const known = new Set(found.map((f) => f.id));
  const missing = wanted.filter((id) => !known.has(id));
  if (missing.length) throw badRequest(message, { [field]: missing.map(describe) });
}
