/**
 * The webhook REST routes. No worker runs here: deliveries stay pending, so what the routes
 * queue can be read back exactly. Sending them is workers/src/tasks/deliver_webhook.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

// A public address (this app refuses private ones); nothing here ever connects to it.
const PUBLIC_URL = 'https://8.8.8.8/hooks/laneway';
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

const asSuperadmin = () => ({ token: w.tokens.superadmin });

let projects = 0;
/** A project of its own per test, so event counts are exact; superadmin owns it, admin is a member. */
async function newProject(): Promise<number> {
  const n = ++projects;
  const res = await t.post('/projects/', { name: `Hooks ${n}`, key: `WH${n}` }, asSuperadmin());
  expect(res.status).toBe(201);
  const member = await t.post(
    `/projects/${res.body.id}/members/`,
    { user_id: w.ids.admin, role: 'admin' },
    asSuperadmin(),
  );
  expect(member.status).toBe(201);
  return res.body.id;
}

async function newWebhook(project: number, extra: Record<string, unknown> = {}) {
  const res = await t.post('/webhooks/', { project, url: PUBLIC_URL, ...extra }, asSuperadmin());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function newTicket(project: number, title = 'Hooked') {
  const res = await t.post('/tickets/', { project, title }, asSuperadmin());
  expect(res.status).toBe(201);
  return res.body.id as number;
}

const deliveries = async (webhook: number, query = '') => {
  const res = await t.get(`/webhooks/${webhook}/deliveries/${query}`, asSuperadmin());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** The deliver_webhook jobs waiting in graphile-worker's queue, by delivery id (the view hides payloads). */
const queuedJobs = async () =>
  (
    await t.sql<{ delivery: number }[]>`
      select (j.payload->>'delivery')::int as delivery
      from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
      where k.identifier = 'deliver_webhook' order by j.id`
  ).map((j) => j.delivery);

describe('endpoints', () => {
  it('creates with a whsec_ secret shown once, then never again', async () => {
    const project = await newProject();
    const created = await newWebhook(project, { events: ['ticket.moved', 'ticket.created', 'ticket.moved'] });
    expect(created).toEqual({
      id: expect.any(Number),
      project,
      url: PUBLIC_URL,
      events: ['ticket.created', 'ticket.moved'],
      is_active: true,
      consecutive_failures: 0,
      disabled_reason: null,
      created_at: expect.any(String),
      secret: expect.stringMatching(SECRET),
    });
    const [stored] = await t.sql<{ secret: string }[]>`select secret from webhooks where id = ${created.id}`;
    expect(stored!.secret).toBe(created.secret);

    const list = await t.get(`/webhooks/?project=${project}`, asSuperadmin());
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(1);
    const { secret: _secret, ...shown } = created;
    expect(list.body.results).toEqual([shown]);
    const one = await t.get(`/webhooks/${created.id}/`, asSuperadmin());
    expect(one.body).toEqual(shown);
    expect(JSON.stringify([list.body, one.body])).not.toContain(created.secret);
  });

  it('rotates the secret, returning the new one once', async () => {
    const project = await newProject();
    const created = await newWebhook(project);
    const rotated = await t.post(`/webhooks/${created.id}/rotate/`, undefined, asSuperadmin());
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(SECRET);
    expect(rotated.body.secret).not.toBe(created.secret);
    const [stored] = await t.sql<{ secret: string }[]>`select secret from webhooks where id = ${created.id}`;
    expect(stored!.secret).toBe(rotated.body.secret);
    expect((await t.get(`/webhooks/${created.id}/`, asSuperadmin())).body).not.toHaveProperty('secret');
  });

  it('refuses private, metadata and non-http destinations, naming url', async () => {
    const project = await newProject();
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://2130706433/',
      'http://10.0.0.7/hook',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data',
      'ftp://8.8.8.8/',
      'https://user:pass@8.8.8.8/',
      'not a url',
    ]) {
      const res = await t.post('/webhooks/', { project, url }, asSuperadmin());
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.url, url).toEqual([expect.stringMatching(/^The URL /)]);
    }
    const loopback = await t.post('/webhooks/', { project, url: 'http://127.0.0.1/' }, asSuperadmin());
    expect(loopback.body.error.details.url[0]).toContain('loopback');
    const hook = await newWebhook(project);
    const patched = await t.patch(`/webhooks/${hook.id}/`, { url: 'http://192.168.1.1/' }, asSuperadmin());
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.url[0]).toContain('private');
    // The refusal says how an instance that means it allows it (issue 13 row 10); a URL refused
    // for its form does not, since no setting allows that.
    expect(patched.body.error.details.url[0]).toContain('set WEBHOOK_ALLOW_PRIVATE=true on the server');
    const ftp = await t.post('/webhooks/', { project, url: 'ftp://8.8.8.8/' }, asSuperadmin());
    expect(ftp.body.error.details.url[0]).not.toContain('WEBHOOK_ALLOW_PRIVATE');
    const [row] = await t.sql<{ url: string }[]>`select url from webhooks where id = ${hook.id}`;
    expect(row!.url).toBe(PUBLIC_URL);
    expect(await t.sql`select 1 from webhooks where project_id = ${project}`).toHaveLength(1);
  });

  it('refuses event names the registry does not have, and unknown fields', async () => {
    const project = await newProject();
    for (const body of [
      { project, url: PUBLIC_URL, events: ['ticket.exploded'] },
      { project, url: PUBLIC_URL, events: ['chat.message'] },
      { project, url: PUBLIC_URL, events: ['Ticket.Moved'] },
      { project, url: PUBLIC_URL, events: ['ticket.*'] },
      { project, url: PUBLIC_URL, events: ['ticket'] },
      { project, url: PUBLIC_URL, events: 'ticket.moved' },
      { project, url: PUBLIC_URL, secret: 'whsec_mine' },
      { project, url: PUBLIC_URL, consecutive_failures: 0 },
    ]) {
      const res = await t.post('/webhooks/', body, asSuperadmin());
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await t.sql`select 1 from webhooks where project_id = ${project}`).toHaveLength(0);
  });

  it('patches url, events and is_active; re-enabling clears the reason and the failures', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await t.sql`update webhooks set is_active = false, consecutive_failures = 20,
      disabled_reason = '20 consecutive failed deliveries; last: HTTP 500' where id = ${hook.id}`;
    const shown = await t.get(`/webhooks/${hook.id}/`, asSuperadmin());
    expect(shown.body).toMatchObject({ is_active: false, consecutive_failures: 20 });
    expect(shown.body.disabled_reason).toContain('20 consecutive failed deliveries');

    const events = await t.patch(`/webhooks/${hook.id}/`, { events: ['comment.created'] }, asSuperadmin());
    expect(events.status).toBe(200);
    expect(events.body).toMatchObject({ events: ['comment.created'], is_active: false, consecutive_failures: 20 });

    const enabled = await t.patch(`/webhooks/${hook.id}/`, { is_active: true }, asSuperadmin());
    expect(enabled.body).toMatchObject({ is_active: true, consecutive_failures: 0, disabled_reason: null });

    await t.sql`update webhooks set consecutive_failures = 7 where id = ${hook.id}`;
    const moved = await t.patch(`/webhooks/${hook.id}/`, { url: 'https://1.1.1.1/new' }, asSuperadmin());
    expect(moved.body).toMatchObject({ url: 'https://1.1.1.1/new', consecutive_failures: 0 });

    const off = await t.patch(`/webhooks/${hook.id}/`, { is_active: false }, asSuperadmin());
    expect(off.body).toMatchObject({ is_active: false, disabled_reason: null });
    expect(off.body).not.toHaveProperty('secret');
  });

  it('deletes an endpoint with its delivery log', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await newTicket(project);
    expect((await deliveries(hook.id)).count).toBe(1);
    expect((await t.del(`/webhooks/${hook.id}/`, asSuperadmin())).status).toBe(204);
    expect((await t.get(`/webhooks/${hook.id}/`, asSuperadmin())).status).toBe(404);
    expect((await t.del(`/webhooks/${hook.id}/`, asSuperadmin())).status).toBe(404);
    expect(await t.sql`select 1 from webhook_deliveries where webhook_id = ${hook.id}`).toHaveLength(0);
  });

  it('keeps changes as activity, never as board events', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await t.patch(`/webhooks/${hook.id}/`, { events: ['ticket.moved'] }, asSuperadmin());
    await t.post(`/webhooks/${hook.id}/rotate/`, undefined, asSuperadmin());
    await t.del(`/webhooks/${hook.id}/`, asSuperadmin());
    const rows = await t.sql<{ verb: string; actor_id: number; data: any }[]>`
      select verb, actor_id, data from activity where project_id = ${project} and verb like 'webhook.%' order by id`;
    expect(rows.map((r) => r.verb)).toEqual([
      'webhook.created',
      'webhook.updated',
      'webhook.secret_rotated',
      'webhook.deleted',
    ]);
    expect(rows.every((r) => r.actor_id === w.ids.superadmin && r.data.webhook === hook.id)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('whsec_');
    const events = await t.sql`select 1 from events where topic = ${`project:${project}`} and type like 'webhook.%'`;
    expect(events).toHaveLength(0);
  });

  it('allows at most 20 endpoints per project', async () => {
    const project = await newProject();
    for (let i = 0; i < 20; i++) await newWebhook(project);
    const res = await t.post('/webhooks/', { project, url: PUBLIC_URL }, asSuperadmin());
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });
});

describe('deliveries', () => {
  it('queues one attempt per matching endpoint in the change’s transaction, with the event as body', async () => {
    const project = await newProject();
    const all = await newWebhook(project);
    const created = await newWebhook(project, { events: ['ticket.created'] });
    const moved = await newWebhook(project, { events: ['ticket.moved'] });
    const off = await newWebhook(project, { is_active: false });
    const before = await queuedJobs();
    const ticket = await newTicket(project, 'Printer on fire');

    const log = await deliveries(all.id);
    expect(log.count).toBe(1);
    const [attempt] = log.results;
    expect(attempt).toEqual({
      id: expect.any(Number),
      webhook: all.id,
      message_id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      event_type: 'ticket.created',
      attempt: 1,
      status: 'pending',
      response_status: null,
      duration_ms: null,
      error: null,
      response_snippet: null,
      payload: {
        type: 'ticket.created',
        timestamp: expect.any(String),
        data: expect.objectContaining({ id: ticket, title: 'Printer on fire', project }),
      },
      next_attempt_at: expect.any(String),
      created_at: expect.any(String),
    });
    expect(new Date(attempt.payload.timestamp).toISOString()).toBe(attempt.payload.timestamp);
    const other = (await deliveries(created.id)).results;
    expect(other.map((d: any) => d.event_type)).toEqual(['ticket.created']);
    expect(other[0].message_id).not.toBe(attempt.message_id);
    expect((await deliveries(moved.id)).count).toBe(0);
    expect((await deliveries(off.id)).count).toBe(0);
    const queued = (await queuedJobs()).filter((id) => !before.includes(id));
    expect(queued.sort()).toEqual([attempt.id, other[0].id].sort());
  });

  it('lists attempts newest first, by message and status, paginated', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    for (const title of ['One', 'Two', 'Three']) await newTicket(project, title);
    const first = await deliveries(hook.id, '?page_size=2');
    expect(first.count).toBe(3);
    expect(first.results.map((d: any) => d.payload.data.title)).toEqual(['Three', 'Two']);
    expect(first.next).toContain('page=2');
    const second = await deliveries(hook.id, '?page_size=2&page=2');
    expect(second.results.map((d: any) => d.payload.data.title)).toEqual(['One']);

    // A message's attempts: the first failed, the second is waiting for its retry.
    const one = second.results[0];
    await t.sql`update webhook_deliveries set status = 'failed', response_status = 500, error = 'HTTP 500'
      where id = ${one.id}`;
    await t.sql`insert into webhook_deliveries (webhook_id, message_id, event_type, payload, attempt, status, next_attempt_at)
      select webhook_id, message_id, event_type, payload, 2, 'pending', now() + interval '1 minute'
      from webhook_deliveries where id = ${one.id}`;
    const thread = await deliveries(hook.id, `?message_id=${one.message_id}`);
    expect(thread.results.map((d: any) => [d.attempt, d.status, d.response_status])).toEqual([
      [2, 'pending', null],
      [1, 'failed', 500],
    ]);
    const failed = await deliveries(hook.id, '?status=failed');
    expect(failed.results.map((d: any) => d.id)).toEqual([one.id]);
    expect((await deliveries(hook.id, '?message_id=msg_nope')).count).toBe(0);
    const bad = await t.get(`/webhooks/${hook.id}/deliveries/?status=lost`, asSuperadmin());
    expect(bad.status).toBe(400);
  });

  it('redelivers a finished message as a new attempt with the same message id, queued now', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await newTicket(project);
    const [first] = (await deliveries(hook.id)).results;
    await t.sql`update webhook_deliveries set status = 'succeeded', response_status = 200 where id = ${first.id}`;

    const res = await t.post(`/webhooks/deliveries/${first.id}/redeliver/`, undefined, asSuperadmin());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      webhook: hook.id,
      message_id: first.message_id,
      event_type: first.event_type,
      attempt: 2,
      status: 'pending',
      payload: first.payload,
    });
    expect(res.body.id).not.toBe(first.id);
    expect(Math.abs(Date.parse(res.body.next_attempt_at) - Date.now())).toBeLessThan(60_000);
    expect(await queuedJobs()).toContain(res.body.id);
    const [stored] = await t.sql<{ same: boolean }[]>`
      select a.payload = b.payload as same from webhook_deliveries a, webhook_deliveries b
      where a.id = ${first.id} and b.id = ${res.body.id}`;
    expect(stored!.same).toBe(true);

    // Redelivering the first attempt again numbers the next one after the last of the message.
    await t.sql`update webhook_deliveries set status = 'failed' where id = ${res.body.id}`;
    const again = await t.post(`/webhooks/deliveries/${first.id}/redeliver/`, undefined, asSuperadmin());
    expect(again.body.attempt).toBe(3);
  });

  it('brings a waiting retry forward instead of starting a second chain', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await newTicket(project);
    const [first] = (await deliveries(hook.id)).results;
    await t.sql`update webhook_deliveries set next_attempt_at = now() + interval '6 hours' where id = ${first.id}`;
    const res = await t.post(`/webhooks/deliveries/${first.id}/redeliver/`, undefined, asSuperadmin());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: first.id, attempt: 1, status: 'pending' });
    expect(Date.parse(res.body.next_attempt_at)).toBeLessThan(Date.now() + 60_000);
    expect((await deliveries(hook.id)).count).toBe(1);
  });

  it('pings with a fresh message id', async () => {
    const project = await newProject();
    const hook = await newWebhook(project, { events: ['ticket.moved'] });
    const res = await t.post(`/webhooks/${hook.id}/ping/`, undefined, asSuperadmin());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      webhook: hook.id,
      event_type: 'webhook.ping',
      attempt: 1,
      status: 'pending',
      payload: { type: 'webhook.ping', timestamp: expect.any(String), data: { webhook: hook.id, project } },
    });
    const again = await t.post(`/webhooks/${hook.id}/ping/`, undefined, asSuperadmin());
    expect(again.body.message_id).not.toBe(res.body.message_id);
    expect(await queuedJobs()).toEqual(expect.arrayContaining([res.body.id, again.body.id]));
  });

  it('refuses pings and redeliveries to a disabled endpoint', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await newTicket(project);
    const [first] = (await deliveries(hook.id)).results;
    await t.patch(`/webhooks/${hook.id}/`, { is_active: false }, asSuperadmin());
    for (const path of [`/webhooks/${hook.id}/ping/`, `/webhooks/deliveries/${first.id}/redeliver/`]) {
      const res = await t.post(path, undefined, asSuperadmin());
      expect(res.status, path).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    expect((await deliveries(hook.id)).count).toBe(1);
  });
});

describe('security', () => {
  it('is for superadmins: members get 403, people of other projects 404, ids never leak', async () => {
    const project = await newProject();
    const hook = await newWebhook(project);
    await newTicket(project);
    const [attempt] = (await deliveries(hook.id)).results;
    // The admin is a member of the project (403); the outsider is superadmin of a project of their own.
    const own = await t.post('/projects/', { name: 'Elsewhere', key: 'ELSE' }, { token: w.tokens.outsider });
    expect(own.status).toBe(201);
    const cases: [string, string, unknown?][] = [
      ['GET', `/webhooks/?project=${project}`],
      ['POST', '/webhooks/', { project, url: PUBLIC_URL }],
      ['GET', `/webhooks/${hook.id}/`],
      ['PATCH', `/webhooks/${hook.id}/`, { url: PUBLIC_URL }],
      ['DELETE', `/webhooks/${hook.id}/`],
      ['POST', `/webhooks/${hook.id}/rotate/`],
      ['GET', `/webhooks/${hook.id}/deliveries/`],
      ['POST', `/webhooks/${hook.id}/ping/`],
      ['POST', `/webhooks/deliveries/${attempt.id}/redeliver/`],
    ];
    for (const [method, path, body] of cases) {
      const admin = await t.request(method, path, { token: w.tokens.admin, body });
      expect(admin.status, `admin ${method} ${path}`).toBe(403);
      const outsider = await t.request(method, path, { token: w.tokens.outsider, body });
      expect(outsider.status, `outsider ${method} ${path}`).toBe(404);
      expect(JSON.stringify([admin.body, outsider.body])).not.toContain('8.8.8.8');
      expect((await t.request(method, path, { body })).status, `anonymous ${method} ${path}`).toBe(401);
    }
    // Nothing changed: one webhook, its secret, its one attempt.
    expect((await deliveries(hook.id)).count).toBe(1);
    const [row] = await t.sql<{ secret: string }[]>`select secret from webhooks where id = ${hook.id}`;
    expect(row!.secret).toBe(hook.secret);
    // The outsider manages their own project's webhooks.
    const theirs = await t.post('/webhooks/', { project: own.body.id, url: PUBLIC_URL }, { token: w.tokens.outsider });
    expect(theirs.status).toBe(201);
    expect((await t.get(`/webhooks/${theirs.body.id}/`, asSuperadmin())).status).toBe(404);
  });

  it('needs ?project= and answers 404 for unknown ids', async () => {
    expect((await t.get('/webhooks/', asSuperadmin())).status).toBe(400);
    expect((await t.get('/webhooks/?project=999999', asSuperadmin())).status).toBe(404);
    expect((await t.get('/webhooks/999999/', { token: w.tokens.superuser })).status).toBe(404);
    expect((await t.post('/webhooks/deliveries/999999/redeliver/', undefined, asSuperadmin())).status).toBe(404);
    expect((await t.post('/webhooks/', { project: 999_999, url: PUBLIC_URL }, asSuperadmin())).status).toBe(404);
  });
});
