import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { CLOSE, MAX_PAYLOAD } from './protocol.ts';

let t: TestApp;
let w: World;
let served: Awaited<ReturnType<typeof listenRealtime>>;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  served = await listenRealtime(t);
  base = served.base;
});
afterAll(async () => {
  await served.close();
  await t.close();
});

const connect = (path = '/ws/', headers: Record<string, string> = {}) => connectWs(`${base}${path}`, headers);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const topic = () => `project:${w.projectId}`;

describe('connecting and authenticating', () => {
  it('accepts a Bearer token at the upgrade', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    expect(await c.next((m) => m.type === 'ready')).toEqual({
      type: 'ready',
      user: { id: w.ids.admin, username: 'admin' },
    });
    c.ws.close();
  });

  it('refuses a bad Bearer token at the upgrade', async () => {
    const c = await connect('/ws/', bearer('nope.nope'));
    expect(c.opened).toBe(false);
  });

  it('accepts a first auth message, and closes a socket that never authenticates', async () => {
    const c = await connect('/ws/');
    c.send({ type: 'subscribe', topic: topic() });
    expect((await c.next((m) => m.type === 'error')).code).toBe('unauthorized');
    c.send({ type: 'auth', token: w.tokens.user });
    expect((await c.next((m) => m.type === 'ready')).user.id).toBe(w.ids.user);
    c.ws.close();
    const silent = await connect('/ws/');
    expect(await silent.closed).toBe(CLOSE.unauthorized);
  }, 10_000);

  it('checks the Origin of cookie-authenticated upgrades', async () => {
    const login = await t.post('/auth/login/', { username: 'admin', password: 'world password 1' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const evil = await connect('/ws/', { cookie, origin: 'https://evil.example' });
    expect(evil.opened).toBe(false);
    const own = await connect('/ws/', { cookie, origin: 'http://laneway.test' });
    expect((await own.next((m) => m.type === 'ready')).user.id).toBe(w.ids.admin);
    own.ws.close();
  });

  it('answers malformed messages with an error and keeps the socket', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.ws.send('{not json');
    expect((await c.next((m) => m.type === 'error')).code).toBe('bad_message');
    c.send({ type: 'subscribe', topic: 'project:abc' });
    expect((await c.next((m) => m.code === 'validation_error')).type).toBe('error');
    c.send({ type: 'ping' });
    expect((await c.next((m) => m.type === 'pong')).type).toBe('pong');
    c.ws.close();
  });

  it('closes a socket that sends more than 64 KB in one message', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    await c.next((m) => m.type === 'ready');
    c.ws.send('x'.repeat(MAX_PAYLOAD + 1));
    expect(await c.closed).toBe(1009);
  });
});

describe('subscriptions and replay', () => {
  it('replays every event after `since` in order, then confirms with the latest seq', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.send({ type: 'subscribe', topic: topic(), since: 0 });
    const done = await c.next((m) => m.type === 'subscribed');
    const events = c.messages.filter(
      (m) => m.topic === topic() && typeof m.seq === 'number' && m.type !== 'subscribed',
    );
    const [row] = await t.sql`select seq from topic_seqs where topic = ${topic()}`;
    expect(done.seq).toBe(Number(row!.seq));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: done.seq }, (_, i) => i + 1));
    expect(events[0].type).toBe('project.created');
    expect(events.some((e) => e.type === 'ticket.created' && e.data.id === w.userTicket)).toBe(true);
    c.ws.close();
  });

  it('resumes with exactly the missed events', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.send({ type: 'subscribe', topic: topic() });
    const before = (await c.next((m) => m.type === 'subscribed')).seq;
    c.ws.close();
    await t.post(`/tickets/${w.otherTicket}/move/`, { column: w.columns[1]!.id }, { token: w.tokens.admin });
    await t.patch(`/tickets/${w.otherTicket}/`, { title: 'Renamed while away' }, { token: w.tokens.admin });
    const again = await connect('/ws/', bearer(w.tokens.admin));
    again.send({ type: 'subscribe', topic: topic(), since: before });
    const done = await again.next((m) => m.type === 'subscribed');
    const missed = again.messages.filter((m) => m.seq > before && m.type !== 'subscribed');
    expect(missed.map((m) => [m.seq, m.type])).toEqual([
      [before + 1, 'ticket.moved'],
      [before + 2, 'ticket.updated'],
    ]);
    expect(done.seq).toBe(before + 2);
    again.ws.close();
  });

  it('asks for a resync when the missed events are past retention', async () => {
    await t.sql`delete from events where topic = ${topic()} and seq <= 3`;
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.send({ type: 'subscribe', topic: topic(), since: 1 });
    expect((await c.next((m) => m.type === 'resync')).topic).toBe(topic());
    expect(c.messages.some((m) => m.type === 'ticket.created')).toBe(false);
    c.ws.close();
  });

  it('refuses topics the actor may not see', async () => {
    const c = await connect('/ws/', bearer(w.tokens.outsider));
    c.send({ type: 'subscribe', topic: topic() });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'not_found', topic: topic() });
    c.send({ type: 'subscribe', topic: `user:${w.ids.admin}` });
    expect(await c.next((m) => m.topic === `user:${w.ids.admin}`)).toMatchObject({ code: 'not_found' });
    c.ws.close();
  });

  it("gives company people only their company's ticket events, replays included", async () => {
    const c = await connect('/ws/', bearer(w.tokens.companyUser));
    c.send({ type: 'subscribe', topic: topic(), since: 3 });
    await c.next((m) => m.type === 'subscribed');
    const tickets = c.messages.filter((m) => m.type?.startsWith('ticket.'));
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.every((m) => m.data.company === w.companyA)).toBe(true);
    expect(c.messages.some((m) => m.type === 'member.added')).toBe(false);
    c.ws.close();
  });

  it('pre-subscribes the old per-topic paths', async () => {
    const board = await connect(`/ws/projects/${w.projectId}/tickets/`, bearer(w.tokens.manager));
    expect((await board.next((m) => m.type === 'subscribed')).topic).toBe(topic());
    board.ws.close();
    const mine = await connect('/ws/notifications/', bearer(w.tokens.user));
    expect((await mine.next((m) => m.type === 'subscribed')).topic).toBe(`user:${w.ids.user}`);
    mine.ws.close();
    const nowhere = await connect('/ws/elsewhere/', bearer(w.tokens.user));
    expect(nowhere.opened).toBe(false);
  });
});

describe('live delivery', () => {
  const isEvent = (m: any) => typeof m.seq === 'number' && m.type !== 'subscribed' && m.type !== 'resync';

  it('delivers a committed move to every subscriber at once, with its outbox seq', async () => {
    const a = await connect('/ws/', bearer(w.tokens.admin));
    const b = await connect(`/ws/projects/${w.projectId}/tickets/`, bearer(w.tokens.manager));
    a.send({ type: 'subscribe', topic: topic() });
    await a.next((m) => m.type === 'subscribed');
    await b.next((m) => m.type === 'subscribed');
    const moved = await t.post(
      `/tickets/${w.otherTicket}/move/`,
      { column: w.columns[2]!.id },
      { token: w.tokens.admin },
    );
    expect(moved.status).toBe(200);
    const seenA = await a.next((m) => m.type === 'ticket.moved' && m.data.id === w.otherTicket);
    const seenB = await b.next((m) => m.type === 'ticket.moved' && m.data.id === w.otherTicket);
    const [row] = await t.sql`select max(seq) as seq from events where topic = ${topic()} and type = 'ticket.moved'`;
    expect(seenA.seq).toBe(Number(row!.seq));
    expect(seenB).toEqual(seenA);
    expect(seenA.data).toEqual(moved.body);
    a.ws.close();
    b.ws.close();
  });

  it('joins replay and live without a gap or a duplicate while moves go on', async () => {
    const [start] = await t.sql`select seq from topic_seqs where topic = ${topic()}`;
    const since = Number(start!.seq);
    const targets = [w.columns[0]!.id, w.columns[1]!.id, w.columns[2]!.id];
    const moving = (async () => {
      for (let i = 0; i < 30; i++) {
        await Promise.all(
          [w.otherTicket, w.userTicket].map((id, k) =>
            t.post(`/tickets/${id}/move/`, { column: targets[(i + k) % 3] }, { token: w.tokens.admin }),
          ),
        );
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.send({ type: 'subscribe', topic: topic(), since });
    await moving;
    const [end] = await t.sql`select seq from topic_seqs where topic = ${topic()}`;
    const last = Number(end!.seq);
    await c.next((m) => isEvent(m) && m.seq === last);
    const seqs = c.messages.filter(isEvent).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: last - since }, (_, i) => since + 1 + i));
    c.ws.close();
  });

  it('publishes nothing for a change that did not commit', async () => {
    const c = await connect('/ws/', bearer(w.tokens.admin));
    c.send({ type: 'subscribe', topic: topic() });
    await c.next((m) => m.type === 'subscribed');
    const stale = await t.patch(
      `/tickets/${w.otherTicket}/`,
      { title: 'never', version: 1 },
      { token: w.tokens.admin },
    );
    expect(stale.status).toBe(409);
    const dup = await t.post('/tags/', { project: w.projectId, name: 'bug' }, { token: w.tokens.superadmin });
    expect(dup.status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.filter(isEvent)).toEqual([]);
    c.ws.close();
  });

  it("streams to company people only their company's tickets", async () => {
    const c = await connect(`/ws/projects/${w.projectId}/tickets/`, bearer(w.tokens.companyUser));
    await c.next((m) => m.type === 'subscribed');
    await t.post(`/tickets/${w.companyBTicket}/move/`, { column: w.columns[1]!.id }, { token: w.tokens.admin });
    await t.post(`/tickets/${w.companyATicket}/move/`, { column: w.columns[1]!.id }, { token: w.tokens.admin });
    const seen = await c.next((m) => m.type === 'ticket.moved');
    expect(seen.data.id).toBe(w.companyATicket);
    expect(c.messages.filter(isEvent).map((m) => m.data.id)).toEqual([w.companyATicket]);
    c.ws.close();
  });
});

describe('revocation', () => {
  async function freshUser(name: string) {
    const created = await t.post(
      '/users/',
      { username: name, email: `${name}@example.com`, password: 'fresh password 1' },
      { token: w.tokens.superuser },
    );
    const login = async () =>
      (await t.post('/auth/login/', { username: name, password: 'fresh password 1' })).body.access;
    return { id: created.body.id as number, login };
  }

  it('logout closes the sockets of that session within a second, and only those', async () => {
    const u = await freshUser('leaver');
    const [a, b] = [await u.login(), await u.login()];
    const sa = await connect('/ws/', bearer(a));
    const sb = await connect('/ws/', bearer(b));
    await sa.next((m) => m.type === 'ready');
    await sb.next((m) => m.type === 'ready');
    const started = Date.now();
    expect((await t.post('/auth/logout/', undefined, { token: a })).status).toBe(200);
    expect(await sa.closed).toBe(CLOSE.revoked);
    expect(Date.now() - started).toBeLessThan(1000);
    sb.send({ type: 'ping' });
    expect((await sb.next((m) => m.type === 'pong')).type).toBe('pong');
    sb.ws.close();
  });

  it('deactivating a user closes every socket of theirs', async () => {
    const u = await freshUser('deactivated');
    const s1 = await connect('/ws/', bearer(await u.login()));
    const s2 = await connect('/ws/notifications/', bearer(await u.login()));
    await s1.next((m) => m.type === 'ready');
    await s2.next((m) => m.type === 'subscribed');
    expect((await t.patch(`/users/${u.id}/`, { is_active: false }, { token: w.tokens.superuser })).status).toBe(200);
    expect(await s1.closed).toBe(CLOSE.revoked);
    expect(await s2.closed).toBe(CLOSE.revoked);
  });

  it('removing a member ends their board subscription, and events stop', async () => {
    const u = await freshUser('removed');
    await t.post(`/projects/${w.projectId}/members/`, { user_id: u.id, role: 'user' }, { token: w.tokens.superadmin });
    const s = await connect(`/ws/projects/${w.projectId}/tickets/`, bearer(await u.login()));
    await s.next((m) => m.type === 'subscribed');
    expect((await t.del(`/projects/${w.projectId}/members/${u.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
    expect(await s.next((m) => m.type === 'error')).toMatchObject({ code: 'revoked', topic: topic() });
    await t.patch(`/tickets/${w.otherTicket}/`, { title: 'After removal' }, { token: w.tokens.admin });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.messages.some((m) => m.type === 'ticket.updated')).toBe(false);
    s.ws.close();
  });

  it("reusing a rotated refresh token closes the sockets of that token's session", async () => {
    const u = await freshUser('reused');
    const login = await t.post('/auth/login/', { username: 'reused', password: 'fresh password 1' });
    const rotated = await t.post('/auth/refresh/', { refresh: login.body.refresh });
    expect(rotated.status).toBe(200);
    const s = await connect('/ws/', bearer(rotated.body.access));
    await s.next((m) => m.type === 'ready');
    const other = await connect('/ws/', bearer(await u.login()));
    await other.next((m) => m.type === 'ready');
    // The first refresh token again: a thief or a replay. Its whole family ends.
    expect((await t.post('/auth/refresh/', { refresh: login.body.refresh })).status).toBe(401);
    expect(await s.closed).toBe(CLOSE.revoked);
    other.send({ type: 'ping' });
    expect((await other.next((m) => m.type === 'pong')).type).toBe('pong');
    other.ws.close();
  });

  it("leaving a company, or the company's unlinking, ends that company person's board subscription", async () => {
    const u = await freshUser('clientperson');
    const co = await t.post('/companies/', { name: 'Leaving Co', users: [u.id] }, { token: w.tokens.superuser });
    const project = await t.get(`/projects/${w.projectId}/`, { token: w.tokens.superadmin });
    const linked = [...project.body.companies, co.body.id];
    await t.patch(`/projects/${w.projectId}/`, { companies: linked }, { token: w.tokens.superadmin });
    const token = await u.login();
    const watch = async () => {
      const s = await connect(`/ws/projects/${w.projectId}/tickets/`, bearer(token));
      await s.next((m) => m.type === 'subscribed');
      return s;
    };
    const first = await watch();
    await t.patch(`/companies/${co.body.id}/`, { users: [] }, { token: w.tokens.superuser });
    expect(await first.next((m) => m.type === 'error')).toMatchObject({ code: 'revoked', topic: topic() });
    first.ws.close();
    await t.patch(`/companies/${co.body.id}/`, { users: [u.id] }, { token: w.tokens.superuser });
    const second = await watch();
    await t.patch(`/projects/${w.projectId}/`, { companies: project.body.companies }, { token: w.tokens.superadmin });
    expect(await second.next((m) => m.type === 'error')).toMatchObject({ code: 'revoked', topic: topic() });
    second.ws.close();
  });
});
