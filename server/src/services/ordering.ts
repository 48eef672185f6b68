/**
 * Card and column order: fractional-index keys.
 *
 * Invariant: within one column, every ticket has a distinct `position` key (a unique index
 * enforces it), and the board order is `ORDER BY position` under the C collation. A move
 * computes one new key strictly between its two neighbours, so a move writes exactly one
 * row and never renumbers others. Keys come from the `fractional-indexing` library; they are
 * base-62 strings that compare bytewise ("a0" < "a0V" < "a1").
 *
 * Neighbours are named, never counted: `after` is the item the moved one goes after (its new
 * upper neighbour), `before` the item it goes before (its new lower neighbour). When both are
 * given but another item has since landed between them, `after` wins: the moved item goes
 * directly below `after`.
 *
 * Keys are jittered: a few random digits follow the library's midpoint, so two agents dropping
 * cards into the same gap at the same moment almost never compute the same key, and both
 * drops succeed at once without waiting on each other. Their relative order is then fixed by
 * the stored keys, so every viewer, on every instance, sees the same order. On the rare exact
 * clash the unique index refuses the second write and the move is retried with a fresh key.
 */
import { randomInt } from 'node:crypto';
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

export interface Neighbours {
  /** Key of the item directly above the new place, or null at the top. */
  lower: string | null;
  /** Key of the item directly below the new place, or null at the end. */
  upper: string | null;
}

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^4 ≈ 15 million keys per gap: a clash needs two drops into one gap with the same draw. */
const JITTER_DIGITS = 4;

function jitter(): string {
  let out = '';
  for (let i = 0; i < JITTER_DIGITS - 1; i++) out += DIGITS[randomInt(DIGITS.length)];
  // A fraction may not end in the zero digit (the library rejects such keys).
  return out + DIGITS[1 + randomInt(DIGITS.length - 1)];
}

/** A key strictly between two neighbours' keys, jittered (see above). */
export function keyBetween({ lower, upper }: Neighbours): string {
  const key = generateKeyBetween(lower, upper);
  const jittered = key + jitter();
  if ((lower !== null && jittered <= lower) || (upper !== null && jittered >= upper)) return key;
  return jittered;
}

/**
 * `n` ascending keys after `last` (null: an empty column), for appending many items at once in
 * their order (a deleted column's cards moved to another). Not jittered: the caller holds the
 * target column's last key under its lock.
 */
export function keysAfter(last: string | null, n: number): string[] {
  return generateNKeysBetween(last, null, n);
}

/** Whether `key` is an order key the library accepts (an imported file may carry any string). */
export function isOrderKey(key: string): boolean {
  try {
    generateKeyBetween(key, null);
    return true;
  } catch {
    return false;
  }
}
