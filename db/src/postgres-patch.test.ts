/**
 * The transaction half of patches/postgres+3.4.9.patch (decision 0053): `sql.begin()` must
 * reserve its connection whenever its BEGIN was written. Unpatched, the reservation is skipped
 * when the connection's pipeline or socket has no room left after the BEGIN: the transaction
 * stays open on the server, the connection goes back to the pool, unrelated queries run inside
 * it, and the BEGIN's own completion throws UNSAFE_TRANSACTION (bench:soak met it under load as
 * a 500 on a move). `max_pipeline: 0` leaves no room after any query, so every transaction
 * takes that path (porsager/postgres#1210).
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl } from '../../test/db-url.ts';

// `max_pipeline` is a connection option postgres.js reads but its typings leave out.
const options = { max: 3, max_pipeline: 0, onnotice: () => {} };
const sql = postgres(adminUrl(), options);
afterAll(() => sql.end({ timeout: 5 }));

describe('postgres.js transactions (patched)', () => {
  it('reserve their connection when no more queries fit on it after BEGIN', async () => {
    const inside = await sql.begin(async (tx) => {
      const [first] = await tx<
        { xid: string; pid: number }[]
      >`select txid_current()::text as xid, pg_backend_pid() as pid`;
      const [second] = await tx<
        { xid: string; pid: number }[]
      >`select txid_current()::text as xid, pg_backend_pid() as pid`;
      return [first!, second!];
    });
    // Both statements in one transaction on one backend.
    expect(inside[1]).toEqual(inside[0]);
  });

  it('keep other queries out of a transaction while it is open, many at once', async () => {
    const outside: (string | null)[] = [];
    await Promise.all([
      ...Array.from({ length: 6 }, () =>
        sql.begin(async (tx) => {
          await tx`select txid_current()`;
          await tx`select pg_sleep(0.02)`;
        }),
      ),
      ...Array.from({ length: 12 }, async () => {
        const [row] = await sql<{ xid: string | null }[]>`select txid_current_if_assigned()::text as xid`;
        outside.push(row!.xid);
      }),
    ]);
    // A plain query never finds itself inside someone's transaction.
    expect(outside).toEqual(Array.from({ length: 12 }, () => null));
  });
});
