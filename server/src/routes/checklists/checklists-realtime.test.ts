import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

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

async function subscriber(token: string) {
  const c = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${token}` });
  c.send({ type: 'subscribe', topic: `project:${w.projectId}` });
  await c.next((m) => m.type === 'subscribed');
  return c;
}

it("company people never receive checklist events of another company's ticket over WS", async () => {
  const a = await subscriber(w.tokens.companyUser);
  const b = await subscriber(w.tokens.otherCompanyUser);
  const admin = { token: w.tokens.admin };
  // Company A's ticket first, then company B's: B's event arriving means A's would have arrived before it.
  expect((await t.post(`/tickets/${w.companyATicket}/checklist/`, { text: 'A step' }, admin)).status).toBe(201);
  expect((await t.post(`/tickets/${w.companyBTicket}/checklist/`, { text: 'B step' }, admin)).status).toBe(201);
  const seenByA = await a.next((m) => m.type === 'checklist.item_created' && m.data.ticket === w.companyATicket);
  expect(seenByA.data).toMatchObject({ text: 'A step', checklist: { done: 0, total: 1 } });
  await b.next((m) => m.type === 'checklist.item_created' && m.data.ticket === w.companyBTicket);
  expect(b.messages.filter((m) => m.type?.startsWith('checklist.')).map((m) => m.data.ticket)).toEqual([
    w.companyBTicket,
  ]);
  a.ws.close();
  b.ws.close();
});
