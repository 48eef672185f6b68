import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { redisUrl } from '../../../test/db-url.ts';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { connectWs } from '../../../test/ws-client.ts';
import { closeHttpServer, createHttpServer } from '../http-server.ts';
import { createRealtime, type Realtime } from './server.ts';

/** Two Laneway instances on one PostgreSQL database and one Redis, each with its own port. */
let one: TestApp;
let two: TestApp;
let w: World;
const servers: { server: Server; realtime: Realtime; url: string }[] = [];

async function listen(t: TestApp) {
  const realtime = createRealtime(t.runtime.deps);
  const server = await createHttpServer(t.app, { realtime });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const entry = { server, realtime, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/` };
  servers.push(entry);
  return entry.url;
}

let urlOne: string;
let urlTwo: string;
beforeAll(async () => {
  one = await createTestApp({ REDIS_URL: redisUrl() });
  two = await createTestApp({ REDIS_URL: redisUrl(), DATABASE_URL: one.runtime.deps.config.databaseUrl! });
  w = await buildWorld(one);
  urlOne = await listen(one);
  urlTwo = await listen(two);
});
afterAll(async () => {
  for (const { server, realtime } of servers) {
    realtime.close();
    await closeHttpServer(server);
  }
  await two.runtime.close();
  await one.close();
});

const topic = () => `project:${w.projectId}`;

async function subscriber(url: string, since?: number) {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${w.tokens.admin}` } });
  const events: { seq: number; type: string; data: any }[] = [];
  let subscribedResolve: () => void;
  const subscribed = new Promise<void>((r) => (subscribedResolve = r));
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (m.type === 'subscribed') subscribedResolve();
    else if (typeof m.seq === 'number' && m.topic === topic()) events.push(m);
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', topic: topic(), ...(since !== undefined ? { since } : {}) }));
  await subscribed;
  const until = async (seq: number, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!events.some((e) => e.seq === seq)) {
      if (Date.now() > end) throw new Error(`no seq ${seq}; got ${events.map((e) => e.seq).join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ws, events, until };
}

const latestSeq = async () => Number((await one.sql`select seq from topic_seqs where topic = ${topic()}`)[0]!.seq);

describe('two instances sharing PostgreSQL and Redis', () => {
  it('a move through one instance reaches a socket on the other with the same seq', async () => {
    const s = await subscriber(urlTwo);
    const res = await one.post(
      `/tickets/${w.otherTicket}/move/`,
      { column: w.columns[1]!.id },
      { token: w.tokens.admin },
    );
    expect(res.status).toBe(200);
    const seq = await latestSeq();
    await s.until(seq);
    const got = s.events.find((e) => e.seq === seq)!;
    expect(got.type).toBe('ticket.moved');
    expect(got.data).toEqual(res.body);
    s.ws.close();
  });

  it('loses and duplicates nothing when the bus connections are killed during a stream of moves', async () => {
    const since = await latestSeq();
    const clients = await Promise.all([
      subscriber(urlOne, since),
      subscriber(urlTwo, since),
      subscriber(urlTwo, since),
    ]);
    const killer = new Redis(redisUrl());
    const columns = w.columns.map((c) => c.id);
    try {
      for (let i = 0; i < 40; i++) {
        const via = i % 2 === 0 ? one : two;
        const ticket = i % 3 === 0 ? w.userTicket : w.otherTicket;
        const res = await via.post(
          `/tickets/${ticket}/move/`,
          { column: columns[i % columns.length] },
          { token: w.tokens.admin },
        );
        expect(res.status).toBe(200);
        if (i === 12 || i === 27) await killer.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      }
    } finally {
      killer.disconnect();
    }
    const last = await latestSeq();
    const expected = Array.from({ length: last - since }, (_, k) => since + 1 + k);
    const dbTypes =
      await one.sql`select seq, type from events where topic = ${topic()} and seq > ${since} order by seq`;
    for (const c of clients) {
      await c.until(last, 15_000);
      expect(c.events.map((e) => e.seq)).toEqual(expected);
      expect(c.events.map((e) => e.type)).toEqual(dbTypes.map((r) => r.type));
      c.ws.close();
    }
  }, 60_000);

  it('chat and typing in a room on one instance reach the other once', async () => {
    const room = (await one.get(`/chat/rooms/?ticket=${w.userTicket}`, { token: w.tokens.admin })).body.results[0].id;
    const open = async (url: string, token: string) => {
      const c = await connectWs(url, { authorization: `Bearer ${token}` });
      c.send({ type: 'subscribe', topic: `room:${room}` });
      await c.next((m) => m.type === 'subscribed');
      return c;
    };
    const writer = await open(urlOne, w.tokens.user);
    const local = await open(urlOne, w.tokens.manager);
    const remote = await open(urlTwo, w.tokens.admin);
    writer.send({ type: 'typing', room });
    writer.send({ type: 'chat.send', room, body: 'across instances', client_id: 'redis-1' });
    const ack = await writer.next((m) => m.type === 'chat.ack');
    for (const c of [local, remote]) {
      expect((await c.next((m) => m.type === 'chat.typing')).data.user.id).toBe(w.ids.user);
      expect((await c.next((m) => m.type === 'chat.message')).data).toEqual(ack.message);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const c of [local, remote]) {
      expect(c.messages.filter((m) => m.type === 'chat.typing' || m.type === 'chat.message')).toHaveLength(2);
      c.ws.close();
    }
    writer.ws.close();
  });

  it('a logout on one instance closes that session’s socket on the other', async () => {
    const login = await one.post('/auth/login/', { username: 'manager', password: 'world password 1' });
    const ws = new WebSocket(urlTwo, { headers: { authorization: `Bearer ${login.body.access}` } });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await new Promise((r) => ws.once('message', r));
    expect((await one.post('/auth/logout/', undefined, { token: login.body.access })).status).toBe(200);
    expect(await closed).toBe(4003);
  });
});
