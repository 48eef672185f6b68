import { sql, type SQL } from 'drizzle-orm';

/**
 * A JS array as one Postgres array value. Drizzle spreads an array interpolated into `sql`
 * into a list of parameters, so the array travels as one JSON parameter instead.
 */
export function pgArray(values: readonly (number | string)[], type: 'int' | 'text'): SQL {
  const elements = sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
  return type === 'int' ? sql`${elements}::int[]` : sql`${elements}::text[]`;
}
