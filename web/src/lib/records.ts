/**
 * The keys of a table typed `Record<K, …>`, as `K[]` (`Object.keys` says `string[]`). For the
 * tables of labels written out per value of a server enum (roles, categories), so that a value
 * the server adds is a type error at the table instead of a copied list going stale.
 *
 * @example const ROLES = keysOf(ROLE_LABELS); // ProjectRole[], strongest first
 */
export function keysOf<K extends string>(table: Record<K, unknown>): K[] {
  return Object.keys(table) as K[];
}
