import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { createMemoryBus } from '../realtime/bus.ts';
import type { EventMessage } from '../realtime/protocol.ts';
import { recordChange } from './changes.ts';
import { transact, withPublisher } from './publish.ts';

let t: TestApp;
let projectId: number;
beforeAll(async () => {
  t = await createTestApp();
  const [p] = await t.sql`insert into projects (name, key) values ('Outbox', 'OUT') returning id`;
  projectId = p!.id;
});
afterAll(() => t.close());

const change = (verb: string) => ({ projectId, ticketId: null, actorId: null, verb, data: {}, payload: { verb } });

describe('publishing after commit', () => {
  it('publishes a transaction’s events only after it commits, when the row is visible to others', async () => {
    const bus = createMemoryBus();
    const seen: { event: EventMessage; visible: Promise<number> }[] = [];
    bus.subscribe(`project:${projectId}`, (event) => {
      // Another connection: sees the row only if the transaction has committed.
      seen.push({
        event,
        visible: t.sql`select count(*)::int as n from events where seq = ${event.seq}`.then((r) => r[0]!.n),
      });
    });
    await withPublisher(bus, () =>
      transact(t.runtime.deps.db, async (tx) => {
        await recordChange(tx, change('test.one'));
        await recordChange(tx, change('test.two'));
        expect(seen).toEqual([]);
      }),
    );
    expect(seen.map((s) => s.event.type)).toEqual(['test.one', 'test.two']);
    expect(await Promise.all(seen.map((s) => s.visible))).toEqual([1, 1]);
  });

  it('publishes nothing, and leaves no event or seq behind, when the transaction rolls back', async () => {
    const bus = createMemoryBus();
    const seen: EventMessage[] = [];
    bus.subscribe(`project:${projectId}`, (event) => seen.push(event));
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
    expect((await t.sql`select count(*)::int as n from events where type = 'test.lost'`)[0]!.n).toBe(0);
  });

  it('refuses to record an event outside transact, where it would be published before commit', async () => {
    const bus = createMemoryBus();
    await expect(
      withPublisher(bus, () => t.runtime.deps.db.transaction((tx) => recordChange(tx, change('test.early')))),
    ).rejects.toThrow(/inside transact/);
  });
});
