import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp({ WORKER_MODE: 'off', WEBHOOK_ALLOW_PRIVATE: 'true' });
  w = await buildWorld(t);
});
afterAll(() => t.close());

const jobPayloads = async (task: string) =>
  (
    await t.sql<{ payload: Record<string, unknown> }[]>`
    select j.payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks k on k.id = j.task_id
    where k.identifier = ${task} order by j.id`
  ).map((r) => r.payload);

describe('jobs carry the request that caused them', () => {
  it('puts the request id into the payload of jobs a request enqueues', async () => {
    const headers = { 'x-request-id': 'req-assign-1' };
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Traced', assignees: [w.ids.user] },
      { token: w.tokens.admin, headers },
    );
    expect(res.status).toBe(201);
    expect(await jobPayloads('notify')).toContainEqual({ user: w.ids.user, request_id: 'req-assign-1' });

    const hook = await t.post(
      '/webhooks/',
      { project: w.projectId, url: 'http://127.0.0.1:9/hook' },
      { token: w.tokens.superadmin },
    );
    expect(hook.status).toBe(201);
    const ping = await t.post(`/webhooks/${hook.body.id}/ping/`, undefined, {
      token: w.tokens.superadmin,
      headers: { 'x-request-id': 'req-ping-1' },
    });
    expect(ping.status).toBeLessThan(300);
    const pings = await jobPayloads('deliver_webhook');
    expect(pings.at(-1)).toMatchObject({ request_id: 'req-ping-1' });

    // Deliveries queued by the outbox trigger (not by code) carry the move's request id too.
    const before = (await jobPayloads('deliver_webhook')).length;
    const moved = await t.post(
      `/tickets/${res.body.id}/move/`,
      { column: res.body.column },
      { token: w.tokens.admin, headers: { 'x-request-id': 'req-move-1' } },
    );
    expect(moved.status).toBe(200);
    const queued = (await jobPayloads('deliver_webhook')).slice(before);
    expect(queued).toEqual([{ delivery: expect.any(Number), request_id: 'req-move-1' }]);
    const [event] = await t.sql<{ request_id: string | null }[]>`
      select request_id from events where topic = ${`project:${w.projectId}`} order by seq desc limit 1`;
    expect(event!.request_id).toBe('req-move-1');
  });

  it('queues trigger deliveries without a request id when the change came from no request', async () => {
    const before = (await jobPayloads('deliver_webhook')).length;
    await t.sql`insert into events (topic, seq, type, payload)
      select topic, seq + 1, 'ticket.updated', '{}'::jsonb from topic_seqs where topic = ${`project:${w.projectId}`}`;
    const queued = (await jobPayloads('deliver_webhook')).slice(before);
    expect(queued).toEqual([{ delivery: expect.any(Number) }]);
  });
});
