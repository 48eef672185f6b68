/**
 * Issue 14, rows 10 and 11 over WebSockets: a budget on `subscribe` and on what `since` may
 * replay per socket, and the removal a company subscriber gets when a ticket leaves their
 * company. Each test is named after its row and failed on the code before the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { expectStatus } from '../../../test/routes.ts';
import { connectWs, listenRealtime } from '../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { MAX_REPLAY } from './hub.ts';
import { REPLAY_BUDGET, SUBSCRIBE_BUDGET } from './socket.ts';

let t: TestApp;
let w: World;
let served: Awaited<ReturnType<typeof listenRealtime>>;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  served = await listenRealtime(t);
});
afterAll(async () => {
  await served.close();
  await t.close();
});

const connect = (token: string) => connectWs(`${served.base}/ws/`, { authorization: `Bearer ${token}` });
type Client = Awaited<ReturnType<typeof connect>>;

/** Waits until the client has received `count` messages matching `pred`. */
async function collect(c: Client, pred: (m: any) => boolean, count: number): Promise<any[]> {
  for (let i = 0; i < 600; i++) {
    const found = c.messages.filter(pred);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`expected ${count} messages; got ${JSON.stringify(c.messages.slice(-5))}`);
}

describe('issue 14 row 10: no budget on WebSocket subscribe; since replays amplify', () => {
  it('row 10: 100 subscribes in a burst: the budget is served, the rest are refused', async () => {
    const c = await connect(w.tokens.admin);
    await c.next((m) => m.type === 'ready');
    const topic = `project:${w.projectId}`;
    for (let i = 0; i < 100; i++) c.send({ type: 'subscribe', topic });
    const answers = await collect(c, (m) => m.type === 'subscribed' || m.type === 'error', 100);
    expect(answers.filter((m) => m.type === 'subscribed')).toHaveLength(SUBSCRIBE_BUDGET);
    const refused = answers.filter((m) => m.type === 'error');
    expect(refused).toHaveLength(100 - SUBSCRIBE_BUDGET);
    expect(refused.every((m) => m.code === 'rate_limited' && m.topic === topic)).toBe(true);
    c.ws.close();
  });

  it('row 10: a socket replays at most its budget; past it, `resync`; another socket is not charged', async () => {
    // A project whose topic holds more than a full replay of (harmless) stored events.
    const project = expectStatus(
      await t.post('/projects/', { name: 'Replayed', key: 'RPL' }, { token: w.tokens.superadmin }),
      201,
      'project',
    ).body.id as number;
    const topic = `project:${project}`;
    const [bounds] = await t.sql<{ seq: string }[]>`select seq from topic_seqs where topic = ${topic}`;
    const start = Number(bounds!.seq);
    const latest = start + MAX_REPLAY + 100;
    await t.sql`insert into events (topic, seq, type, payload)
      select ${topic}, s, 'tag.updated', jsonb_build_object('id', s, 'project', ${project}::int, 'name', 'x', 'colour', '#000000')
      from generate_series(${start + 1}::bigint, ${latest}::bigint) s`;
    await t.sql`update topic_seqs set seq = ${latest} where topic = ${topic}`;

    const c = await connect(w.tokens.superadmin);
    await c.next((m) => m.type === 'ready');
    const rounds = Math.floor(REPLAY_BUDGET / MAX_REPLAY) + 1;
    for (let round = 1; round <= rounds; round++) {
      c.send({ type: 'subscribe', topic, since: latest - MAX_REPLAY });
      await collect(c, (m) => m.type === 'subscribed', round);
    }
    const replayed = c.messages.filter((m) => m.type === 'tag.updated');
    expect(replayed).toHaveLength(REPLAY_BUDGET);
    expect(c.messages.filter((m) => m.type === 'resync')).toEqual([{ type: 'resync', topic, seq: latest }]);
    c.ws.close();

    const fresh = await connect(w.tokens.superadmin);
    fresh.send({ type: 'subscribe', topic, since: latest - 10 });
    await fresh.next((m) => m.type === 'subscribed');
    expect(fresh.messages.filter((m) => m.type === 'tag.updated').map((m) => m.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => latest - 9 + i),
    );
    fresh.ws.close();
  });
});

describe('issue 14 row 11: a company subscriber gets no event when a ticket leaves their company', () => {
  it('row 11: staff moves an Acme ticket to company 2 while an Acme user watches: the card is removed', async () => {
    const topic = `project:${w.projectId}`;
    const acme = await connect(w.tokens.companyUser);
    const globex = await connect(w.tokens.otherCompanyUser);
    for (const c of [acme, globex]) {
      c.send({ type: 'subscribe', topic });
      await c.next((m) => m.type === 'subscribed');
    }
    const since = (await acme.next((m) => m.type === 'subscribed')).seq as number;
    const admin = { token: w.tokens.admin };
    const created = expectStatus(
      await t.post('/tickets/', { project: w.projectId, title: 'Secret plans', company: w.companyA }, admin),
      201,
      'ticket',
    ).body;
    await acme.next((m) => m.type === 'ticket.created' && m.data.id === created.id);

    // A plain PATCH of the company (ticket.updated), then one that also moves it (ticket.moved).
    expectStatus(await t.patch(`/tickets/${created.id}/`, { company: w.companyB }, admin), 200, 'to B');
    const removal = { id: created.id, number: created.number, key: created.key, company: w.companyA };
    const first = await acme.next((m) => m.type === 'ticket.deleted' && m.data.id === created.id);
    expect(first.data).toEqual(removal);
    expect((await globex.next((m) => m.type === 'ticket.updated' && m.data.id === created.id)).data.company).toBe(
      w.companyB,
    );
    expectStatus(await t.patch(`/tickets/${created.id}/`, { company: w.companyA }, admin), 200, 'back to A');
    await acme.next((m) => m.type === 'ticket.updated' && m.data.id === created.id);
    const column = w.columns.find((col) => col.id !== created.column)!.id;
    expectStatus(await t.patch(`/tickets/${created.id}/`, { company: w.companyB, column }, admin), 200, 'move');
    const removals = await collect(acme, (m) => m.type === 'ticket.deleted' && m.data.id === created.id, 2);
    expect(removals[1].data).toEqual(removal);
    expect(removals.map((m) => m.seq)).toEqual([...removals.map((m) => m.seq)].sort((a, b) => a - b));

    // Nothing Acme's socket got says where the ticket went, live or replayed.
    const replay = await connect(w.tokens.companyUser);
    replay.send({ type: 'subscribe', topic, since });
    await replay.next((m) => m.type === 'subscribed');
    const replayedRemovals = replay.messages.filter((m) => m.type === 'ticket.deleted' && m.data.id === created.id);
    expect(replayedRemovals.map((m) => m.data)).toEqual([removal, removal]);
    expect(replayedRemovals.map((m) => m.seq)).toEqual(removals.map((m) => m.seq));
    for (const c of [acme, replay]) {
      expect(JSON.stringify(c.messages)).not.toContain(`"company":${w.companyB}`);
      // Back in Acme, the ticket does not say it came from company 2 either.
      expect(JSON.stringify(c.messages)).not.toContain('previous_company');
    }
    expect(globex.messages.some((m) => m.type === 'ticket.updated' && m.data.previous_company === w.companyA)).toBe(
      false,
    );
    for (const c of [acme, globex, replay]) c.ws.close();
  });
});
