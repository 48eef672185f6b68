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
 * directly below `after`. That rule makes concurrent drops into one gap end in a deterministic
 * order (the order their transactions commit).
 */
import { generateKeyBetween } from 'fractional-indexing';

export interface Neighbours {
  /** Key of the item directly above the new place, or null at the top. */
  lower: string | null;
  /** Key of the item directly below the new place, or null at the end. */
  upper: string | null;
}

/** A key strictly between two neighbours' keys. */
export function keyBetween({ lower, upper }: Neighbours): string {
  return generateKeyBetween(lower, upper);
}
