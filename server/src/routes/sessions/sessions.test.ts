import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { CLOSE } from '../../realtime/protocol.ts';
import { describeUserAgent } from '../../services/sessions.ts';

let t: TestApp;
let served: Awaited<ReturnType<typeof listenRealtime>>;
const password = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  t = await createTestApp();
  served = await listenRealtime(t);
  await t.post('/auth/register/', { username: 'root', email: 'root@example.com', password });
  await t.post('/users/', { username: 'other', email: 'other@example.com', password }, { token: await login() });
});
afterAll(async () => {
  await served.close();
  await t.close();
});

async function login(username = 'root', ua = FIREFOX, ip = '203.0.113.7'): Promise<string> {
  const res = await t.post('/auth/login/', { username, password }, { headers: { 'user-agent': ua }, ip });
  expect(res.status).toBe(200);
  return res.body.access;
}

describe('sessions list', () => {
  it('names devices in words', () => {
    expect(describeUserAgent(FIREFOX)).toBe('Firefox 133 on Linux');
    expect(describeUserAgent(IPHONE)).toMatch(/Safari 17 on iOS/);
    expect(describeUserAgent(null)).toBe('Unknown device');
  });

  it("lists the caller's sessions with device, address and last use, marking the current one", async () => {
    const phone = await login('root', IPHONE, '198.51.100.4');
    const laptop = await login('root', FIREFOX, '203.0.113.9');
    await login('other');
    const res = await t.get('/auth/sessions/', { token: laptop });
    expect(res.status).toBe(200);
    const current = res.body.filter((s: any) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ id: laptop.split('.')[0], device: 'Firefox 133 on Linux' });
    expect(current[0].last_used_at).toEqual(expect.any(String));
    const phoneRow = res.body.find((s: any) => s.id === phone.split('.')[0]);
    expect(phoneRow).toMatchObject({ current: false, user_agent: IPHONE });
    // Only root's sessions: never another user's, never a secret.
    expect(JSON.stringify(res.body)).not.toContain(laptop.split('.')[1]);
    const others = await t.get('/auth/sessions/', { token: await login('other') });
    expect(others.body.every((s: any) => !res.body.some((r: any) => r.id === s.id))).toBe(true);
  });

  it("ends one session, its refresh token and its sockets at once; another's is a 404", async () => {
    const res = await t.post('/auth/login/', { username: 'root', password });
    const victim = res.body.access as string;
    const socket = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${victim}` });
    await socket.next((m) => m.type === 'ready');
    const mine = await login();
    const otherUser = await login('other');
    const id = victim.split('.')[0]!;
    expect((await t.del(`/auth/sessions/${id}/`, { token: otherUser })).status).toBe(404);
    expect((await t.get('/auth/me/', { token: victim })).status).toBe(200);
    expect((await t.del(`/auth/sessions/${id}/`, { token: mine })).status).toBe(204);
    expect(await socket.closed).toBe(CLOSE.revoked);
    expect((await t.get('/auth/me/', { token: victim })).status).toBe(401);
    expect((await t.post('/auth/refresh/', { refresh: res.body.refresh })).status).toBe(401);
    expect((await t.get('/auth/me/', { token: mine })).status).toBe(200);
    expect((await t.del(`/auth/sessions/${id}/`, { token: mine })).status).toBe(404);
  });

  it('refuses a malformed id with 400', async () => {
    expect((await t.del('/auth/sessions/NOT..valid/', { token: await login() })).status).toBe(400);
  });
});
