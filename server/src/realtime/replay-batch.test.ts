/**
 * Decision 0049: replays of one topic waiting at the instance's gate share one outbox read, and
 * each subscriber still gets exactly its own replay (the events after its `since`, or `resync`).
 */
import type { Db } from '@laneway/db/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { replay, REPLAY_CONCURRENCY, type Replay, type TopicGrant } from './hub.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  // Events on the project's topic: a few moves back and forth.
  const columns = w.columns.map((c) => c.id);
  for (let i = 0; i < 12; i++) {
    const res = await t.post(
      `/tickets/${w.userTicket}/move/`,
      { column: columns[i % columns.length] },
      {
        token: w.tokens.admin,
      },
    );
    expect(res.status).toBe(200);
  }
});
afterAll(() => t.close());

/** The database, counting the statements run through it (the outbox reads). */
function counting(db: Db): { db: Db; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'execute') {
        return (...args: Parameters<Db['execute']>) => {
          reads++;
          return target.execute(...args);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { db: proxy, reads: () => reads };
}

const view = (r: Replay) => ({ seq: r.seq, resync: r.resync, events: r.events.map((e) => e.seq) });

describe('replays share the outbox read they wait for (decision 0049)', () => {
  it('many replays at once: each gets what its own read would, with fewer reads than replays', async () => {
    const topic = `project:${w.projectId}`;
    const [row] = await t.sql<{ seq: string }[]>`select seq from topic_seqs where topic = ${topic}`;
    const latest = Number(row!.seq);
    expect(latest).toBeGreaterThan(10);
    const staff: TopicGrant = { topic, companies: null, actorId: w.ids.admin };
    const company: TopicGrant = { topic, companies: [12345], actorId: w.ids.companyUser };
    // Every since from 0 to past the end, some with a small limit (a socket's spent budget),
    // and as many again for a company subscriber (filtered frames: a read of its own kind).
    const asks = [
      ...Array.from({ length: latest + 2 }, (_, since) => ({ grant: staff, since, limit: undefined })),
      ...[0, 3, latest - 2].map((since) => ({ grant: staff, since, limit: 2 })),
      ...Array.from({ length: latest + 2 }, (_, since) => ({ grant: company, since, limit: undefined })),
    ];
    const alone: ReturnType<typeof view>[] = [];
    for (const a of asks) alone.push(view(await replay(t.runtime.deps.db, a.grant, a.since, a.limit)));
    // The company subscriber's replay is filtered: the moves of a ticket not of its company are left out.
    expect(alone.at(-latest - 2)!.events.length).toBeLessThan(alone[0]!.events.length);
    expect(alone.find((r) => r.resync)).toBeDefined();

    const { db, reads } = counting(t.runtime.deps.db);
    const together = await Promise.all(asks.map((a) => replay(db, a.grant, a.since, a.limit)));
    expect(together.map(view)).toEqual(alone);
    // The first replays find free slots and read alone; the rest wait and share.
    expect(reads()).toBeLessThan(asks.length);
    expect(reads()).toBeLessThanOrEqual(REPLAY_CONCURRENCY + 6);
  });
});
