/**
 * Issue 14 deliverable 2: no answer to a company person ever carries a foreign company's id,
 * over REST and WebSockets. fast-check drives staff through random changes (tickets created
 * for either company or none, their company changed, moved, commented on, archived) while
 * company A's user watches the board's topic and reads what they may; every field of every
 * answer and message whose key names a company is checked against company B's id.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../test/world.ts';

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

/** Every value under a key that names a company (`company`, `companies`, `previous_company`, …). */
function companyValues(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) companyValues(v, found);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (/compan/i.test(key)) found.push(...[v].flat(2));
      companyValues(v, found);
    }
  }
  return found;
}

type Action =
  | { kind: 'create'; company: 'A' | 'B' | null }
  | { kind: 'recompany'; pick: number; company: 'A' | 'B' | null }
  | { kind: 'move'; pick: number; column: number }
  | { kind: 'comment'; pick: number }
  | { kind: 'archive'; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), company: fc.constantFrom('A' as const, 'B' as const, null) }),
  fc.record({
    kind: fc.constant('recompany' as const),
    pick: fc.nat(),
    company: fc.constantFrom('A' as const, 'B' as const, null),
  }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), column: fc.nat() }),
  fc.record({ kind: fc.constant('comment' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('archive' as const), pick: fc.nat() }),
);

describe('issue 14: tenant isolation as a property', () => {
  it("no REST answer or WS message to company A's people carries company B's id", async () => {
    const staff = { token: w.tokens.admin };
    const companyOf = (c: 'A' | 'B' | null) => (c === 'A' ? w.companyA : c === 'B' ? w.companyB : null);
    const tickets: number[] = [w.companyATicket, w.companyBTicket, w.userTicket];
    const watchers = await Promise.all(
      [w.tokens.companyUser, w.tokens.companyAdmin].map(async (token) => {
        const c = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${token}` });
        c.send({ type: 'subscribe', topic: `project:${w.projectId}` });
        await c.next((m) => m.type === 'subscribed');
        return c;
      }),
    );
    const since = (await watchers[0]!.next((m) => m.type === 'subscribed')).seq as number;

    const apply = async (a: Action) => {
      const pick = 'pick' in a ? tickets[a.pick % tickets.length]! : 0;
      switch (a.kind) {
        case 'create': {
          const res = await t.post(
            '/tickets/',
            { project: w.projectId, title: 'P', company: companyOf(a.company) },
            staff,
          );
          if (res.status === 201) tickets.push(res.body.id);
          return;
        }
        case 'recompany':
          await t.patch(`/tickets/${pick}/`, { company: companyOf(a.company) }, staff);
          return;
        case 'move':
          await t.post(`/tickets/${pick}/move/`, { column: w.columns[a.column % w.columns.length]!.id }, staff);
          return;
        case 'comment':
          await t.post(`/tickets/${pick}/comments/`, { body: 'Looked at it' }, staff);
          return;
        case 'archive':
          await t.post(`/tickets/${pick}/${a.pick % 2 ? 'archive' : 'unarchive'}/`, undefined, staff);
          return;
      }
    };

    /** What company A's people read over REST, every ticket id tried (foreign ones must be 404s). */
    const reads = (token: string) =>
      [
        '/tickets/',
        '/tickets/?is_archived=true',
        '/projects/',
        `/projects/${w.projectId}/`,
        `/projects/${w.projectId}/board/`,
        '/companies/',
        '/contacts/',
        '/auth/me/',
        '/notifications/',
        ...tickets.flatMap((id) => [`/tickets/${id}/`, `/tickets/${id}/activity/`, `/tickets/${id}/comments/`]),
      ].map(async (path) => ({ path, res: await t.get(path, { token }) }));

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), async (actions) => {
        for (const a of actions) await apply(a);
        for (const token of [w.tokens.companyUser, w.tokens.companyAdmin]) {
          for (const { path, res } of await Promise.all(reads(token))) {
            expect(companyValues(res.body), `${path} → ${JSON.stringify(res.body).slice(0, 300)}`).not.toContain(
              w.companyB,
            );
          }
        }
      }),
      { numRuns: 15 },
    );

    // Live, and replayed from where the run began.
    const replayed = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${w.tokens.companyUser}` });
    replayed.send({ type: 'subscribe', topic: `project:${w.projectId}`, since });
    await replayed.next((m) => m.type === 'subscribed');
    for (const c of [...watchers, replayed]) {
      const events = c.messages.filter((m) => typeof m.seq === 'number' && m.seq > 0);
      expect(events.length).toBeGreaterThan(0);
      for (const m of events) expect(companyValues(m), JSON.stringify(m).slice(0, 300)).not.toContain(w.companyB);
      c.ws.close();
    }
  }, 180_000);
});
