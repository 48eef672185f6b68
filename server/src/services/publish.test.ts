import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { createMemoryBus } from '../realtime/bus.ts';
import type { BusMessage } from '../realtime/protocol.ts';
import { recordChange, type Change } from './changes.ts';
import { transact, withPublisher } from './publish.ts';

let t: TestApp;
let projectId: number;
beforeAll(async () => {
  t = await createTestApp();
  const [p] = await t.sql`insert into projects (name, key) values ('Outbox', 'OUT') returning id`;
  projectId = p!.id;
});
afterAll(() => t.close());

/** A registered change (`tag.created`) told apart by its tag's name; the tag row need not exist. */
let nextTag = 1;
const change = (name: string): Change<'tag.created'> => {
  const id = nextTag++;
  return {
    projectId,
    ticketId: null,
    actorId: null,
    verb: 'tag.created',
    data: { tag: id },
    payload: { id, project: projectId, name, colour: '#123456' },
  };
};
const nameOf = (event: BusMessage) => (event.data as { name: string }).name;

describe('publishing after commit', () => {
  it('publishes a transaction’s events only after it commits, when the row is visible to others', async () => {
    const bus = createMemoryBus();
    const seen: { event: BusMessage; visible: Promise<number> }[] = [];
    bus.subscribe(`project:${projectId}`, {
      onEvent: (event) => {
        // Another connection: sees the row only if the transaction has committed.
        seen.push({
          event,
          visible: t.sql`select count(*)::int as n from events where seq = ${event.seq}`.then((r) => r[0]!.n),
        });
      },
    });
    await withPublisher(bus, () =>
      transact(t.runtime.deps.db, async (tx) => {
        await recordChange(tx, change('test.one'));
        await recordChange(tx, change('test.two'));
        expect(seen).toEqual([]);
      }),
    );
    expect(seen.map((s) => nameOf(s.event))).toEqual(['test.one', 'test.two']);
    expect(await Promise.all(seen.map((s) => s.visible))).toEqual([1, 1]);
  });

  it('publishes nothing, and leaves no event or seq behind, when the transaction rolls back', async () => {
    const bus = createMemoryBus();
    const seen: BusMessage[] = [];
    bus.subscribe(`project:${projectId}`, { onEvent: (event) => seen.push(event) });
    const [before] = await t.sql`select seq from topic_seqs where topic = ${`project:${projectId}`}`;
    await expect(
      withPublisher(bus, () =>
        transact(t.runtime.deps.db, async (tx) => {
          await recordChange(tx, change('test.lost'));
          throw new Error('boom');
        }),
      ),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([]);
    const [after] = await t.sql`select seq from topic_seqs where topic = ${`project:${projectId}`}`;
    expect(after!.seq).toBe(before!.seq);
    expect((await t.sql`select count(*)::int as n from events where payload->>'name' = 'test.lost'`)[0]!.n).toBe(0);
  });

  it('refuses to record an event outside transact, where it would be published before commit', async () => {
    const bus = createMemoryBus();
    await expect(
      withPublisher(bus, () => t.runtime.deps.db.transaction((tx) => recordChange(tx, change('test.early')))),
    ).rejects.toThrow(/inside transact/);
  });
});
