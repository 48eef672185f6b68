import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { PRESENCE_TTL_MS, TYPING_TTL_MS } from './protocol.ts';

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

type Who = keyof World['tokens'];

/** A signed-in socket, subscribed to `topics` (each confirmed). */
async function client(who: Who, ...topics: string[]) {
  const c = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${w.tokens[who]}` });
  await c.next((m) => m.type === 'ready');
  for (const topic of topics) {
    c.send({ type: 'subscribe', topic });
    await c.next((m) => (m.type === 'subscribed' || m.type === 'error') && m.topic === topic);
  }
  return c;
}

async function roomOf(ticket: number) {
  const res = await t.get(`/chat/rooms/?ticket=${ticket}`, { token: w.tokens.admin });
  return res.body.results[0].id as number;
}

/** Waits until no more messages arrive for a moment, so "nothing else came" can be checked. */
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('chat over the socket', () => {
  it('acks chat.send with the stored message and delivers it to the room, once per client_id', async () => {
    const room = await roomOf(w.companyATicket);
    const agent = await client('admin', `room:${room}`);
    const customer = await client('companyUser', `room:${room}`);
    customer.send({ type: 'chat.send', room, body: 'The printer is smoking', client_id: 'cu-1' });
    const ack = await customer.next((m) => m.type === 'chat.ack');
    expect(ack).toEqual({
      type: 'chat.ack',
      room,
      client_id: 'cu-1',
      message: {
        id: expect.any(Number),
        room,
        author: w.ids.companyUser,
        contact: null,
        via: 'app',
        body: 'The printer is smoking',
        client_id: 'cu-1',
        created_at: expect.any(String),
      },
    });
    const live = await agent.next((m) => m.type === 'chat.message');
    expect(live).toMatchObject({ topic: `room:${room}`, seq: expect.any(Number), data: ack.message });
    // A resend after a lost ack: the same message, nothing stored or sent again.
    customer.send({ type: 'chat.send', room, body: 'The printer is smoking', client_id: 'cu-1' });
    const again = await customer.next((m) => m.type === 'chat.ack' && m !== ack);
    expect(again.message).toEqual(ack.message);
    await settle();
    expect(agent.messages.filter((m) => m.type === 'chat.message')).toHaveLength(1);
    const [{ n }] = await t.sql<[{ n: number }]>`select count(*)::int as n from chat_messages where client_id = 'cu-1'`;
    expect(n).toBe(1);
    // History over REST has it, and a reconnect with `since` replays it.
    const history = await t.get(`/chat/rooms/${room}/messages/`, { token: w.tokens.admin });
    expect(history.body.results.at(-1)).toEqual(ack.message);
    const late = await client('companyAdmin');
    late.send({ type: 'subscribe', topic: `room:${room}`, since: live.seq - 1 });
    expect((await late.next((m) => m.type === 'chat.message')).data).toEqual(ack.message);
    for (const c of [agent, customer, late]) c.ws.close();
  });

  it("refuses other companies' rooms, on subscribe and on send, and invalid messages", async () => {
    const room = await roomOf(w.companyATicket);
    const other = await client('otherCompanyUser', `room:${room}`);
    expect(other.messages.find((m) => m.type === 'error')).toMatchObject({ code: 'not_found', topic: `room:${room}` });
    other.send({ type: 'chat.send', room, body: 'let me in', client_id: 'x-1' });
    expect(await other.next((m) => m.type === 'error' && m.client_id === 'x-1')).toMatchObject({ code: 'not_found' });
    other.send({ type: 'chat.send', room, body: '   ', client_id: 'x-2' });
    expect((await other.next((m) => m.code === 'validation_error')).type).toBe('error');
    const [{ n }] = await t.sql<[{ n: number }]>`
      select count(*)::int as n from chat_messages where client_id like 'x-%'`;
    expect(n).toBe(0);
    other.ws.close();
  });
});

describe('typing and presence', () => {
  it('relays typing to the room’s other subscribers, never stored, and rate-limits it per socket', async () => {
    const room = await roomOf(w.userTicket);
    const [{ before }] = await t.sql<[{ before: number }]>`select count(*)::int as before from events`;
    const typist = await client('user', `room:${room}`);
    const watcher = await client('admin', `room:${room}`);
    typist.send({ type: 'typing', room });
    const typing = await watcher.next((m) => m.type === 'chat.typing');
    expect(typing).toEqual({
      type: 'chat.typing',
      topic: `room:${room}`,
      seq: 0,
      at: expect.any(String),
      data: { user: { id: w.ids.user, username: 'user' }, room, ttl_ms: TYPING_TTL_MS },
    });
    for (let i = 0; i < 10; i++) typist.send({ type: 'typing', room });
    expect((await typist.next((m) => m.code === 'rate_limited')).type).toBe('error');
    await settle();
    // Three per three seconds: the first and two more got through.
    expect(watcher.messages.filter((m) => m.type === 'chat.typing')).toHaveLength(3);
    expect(typist.messages.filter((m) => m.type === 'chat.typing')).toHaveLength(0);
    const [{ after }] = await t.sql<[{ after: number }]>`select count(*)::int as after from events`;
    expect(after).toBe(before);
    // Typing in a room one has not subscribed to is refused.
    const stranger = await client('manager');
    stranger.send({ type: 'typing', room });
    expect((await stranger.next((m) => m.type === 'error')).code).toBe('not_subscribed');
    for (const c of [typist, watcher, stranger]) c.ws.close();
  });

  it('shows who views the board and drags which card; leaving says so; company people do not see drags', async () => {
    const topic = `project:${w.projectId}`;
    const viewer = await client('admin', topic);
    const customer = await client('companyUser', topic);
    const dragger = await client('user', topic);
    dragger.send({ type: 'presence', topic, viewing: true });
    expect(await viewer.next((m) => m.type === 'presence')).toMatchObject({
      topic,
      seq: 0,
      data: { user: { id: w.ids.user, username: 'user' }, viewing: true, dragging: null, ttl_ms: PRESENCE_TTL_MS },
    });
    await customer.next((m) => m.type === 'presence' && m.data.viewing);
    dragger.send({ type: 'presence', topic, dragging: w.userTicket });
    expect((await viewer.next((m) => m.type === 'presence' && m.data.dragging === w.userTicket)).data.viewing).toBe(
      true,
    );
    dragger.ws.close();
    expect((await viewer.next((m) => m.type === 'presence' && m.data.viewing === false)).data.user.id).toBe(w.ids.user);
    await customer.next((m) => m.type === 'presence' && m.data.viewing === false);
    expect(customer.messages.filter((m) => m.type === 'presence' && m.data.dragging !== null)).toHaveLength(0);
    for (const c of [viewer, customer]) c.ws.close();
  });
});

describe('notifications over the socket', () => {
  it('pushes a new notification and its reading to /ws/notifications/, and only to its owner', async () => {
    const mine = await connectWs(`${served.base}/ws/notifications/`, { authorization: `Bearer ${w.tokens.user}` });
    await mine.next((m) => m.type === 'subscribed');
    const theirs = await client('manager', `user:${w.ids.manager}`);
    const spy = await client('manager', `user:${w.ids.user}`);
    expect(spy.messages.find((m) => m.type === 'error')?.code).toBe('not_found');
    const tk = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'For user', assignees: [w.ids.user] },
      { token: w.tokens.admin },
    );
    const pushed = await mine.next((m) => m.type === 'notification.created');
    expect(pushed).toMatchObject({
      topic: `user:${w.ids.user}`,
      data: { kind: 'assigned', ticket: tk.body.id, actor: w.ids.admin, read_at: null },
    });
    const stored = (await t.get('/notifications/', { token: w.tokens.user })).body.results[0];
    expect(pushed.data).toEqual(stored);
    await t.post(`/notifications/${stored.id}/read/`, undefined, { token: w.tokens.user });
    expect((await mine.next((m) => m.type === 'notification.read')).data).toEqual({ ids: [stored.id] });
    await settle();
    expect(theirs.messages.filter((m) => m.type?.startsWith('notification.'))).toHaveLength(0);
    for (const c of [mine, theirs, spy]) c.ws.close();
  });
});
