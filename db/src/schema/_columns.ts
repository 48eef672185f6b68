import { customType, integer, timestamp } from 'drizzle-orm/pg-core';

/** Integer identity primary key, as the old Django system used (clients keep numeric ids). */
export const id = () => integer('id').primaryKey().generatedAlwaysAsIdentity();

/** A UTC timestamp column; the API renders it as ISO 8601. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `created_at` defaulting to the transaction time. */
export const createdAt = () => ts('created_at').notNull().defaultNow();

/**
 * A fractional-index ordering key. Keys compare byte by byte ("a0" < "a0V" < "a1"), so the
 * column uses the C collation: under a locale collation ORDER BY would disagree with the keys.
 */
export const orderKey = customType<{ data: string }>({
  dataType: () => 'text COLLATE "C"',
});
