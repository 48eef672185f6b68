/**
 * A timestamp as ISO 8601 UTC. Raw SQL results arrive as Postgres text
 * ("2026-11-22 10:00:00.123+00"); drizzle's typed selects arrive as Date.
 */
export function isoTime(value: Date | string): string;
export function isoTime(value: Date | string | null): string | null;
export function isoTime(value: Date | string | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
}
