import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { allowedMethods } from './compat.ts';

// Old Django REST Framework clients (issue 13, item 17): a fetched resource sent back unchanged,
// PUT where DRF's ModelViewSet had it, 405 where it had none, and `detail` on every error.

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

describe('PATCH with read-only fields', () => {
  it('accepts a fetched ticket sent back unchanged, and applies the one field that changed', async () => {
    const { body: fetched } = await t.get(`/tickets/${w.otherTicket}/`, { token: w.tokens.admin });
    // `seq` (the read's position in the project's stream) comes with a GET; it is ignored.
    expect(fetched.seq).toBeTypeOf('number');
    const res = await t.patch(
      `/tickets/${w.otherTicket}/`,
      { ...fetched, title: 'Renamed by an old client' },
      {
        token: w.tokens.admin,
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: w.otherTicket, title: 'Renamed by an old client', key: fetched.key });
    expect(res.body.version).toBe(fetched.version + 1);
  });

  it('refuses a read-only field that differs, naming it, and changes nothing', async () => {
    const { body: fetched } = await t.get(`/tickets/${w.otherTicket}/`, { token: w.tokens.admin });
    const res = await t.patch(
      `/tickets/${w.otherTicket}/`,
      { title: 'Should not stick', number: fetched.number + 100, status: 'done' },
      { token: w.tokens.admin },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details).sort()).toEqual(['number', 'status']);
    expect(res.body.detail).toBe(res.body.error.message);
    const after = await t.get(`/tickets/${w.otherTicket}/`, { token: w.tokens.admin });
    expect(after.body.title).toBe(fetched.title);
    expect(after.body.version).toBe(fetched.version);
  });

  it('still refuses a field no representation has', async () => {
    const res = await t.patch(`/tickets/${w.otherTicket}/`, { colour: 'red' }, { token: w.tokens.admin });
    expect(res.status).toBe(400);
  });

  it('answers 404, not a comparison, for a resource the caller may not see', async () => {
    const { body: fetched } = await t.get(`/tickets/${w.companyBTicket}/`, { token: w.tokens.admin });
    const res = await t.patch(
      `/tickets/${w.companyBTicket}/`,
      { id: fetched.id, key: fetched.key },
      {
        token: w.tokens.companyUser,
      },
    );
    expect(res.status).toBe(404);
  });

  it('accepts a listed column and tag sent back unchanged, and refuses a changed project', async () => {
    const token = w.tokens.superadmin;
    const [column] = (await t.get(`/columns/?project=${w.projectId}`, { token })).body.results;
    const res = await t.patch(`/columns/${column.id}/`, { ...column, wip_limit: 9 }, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...column, wip_limit: 9 });
    const moved = await t.put(`/columns/${column.id}/`, { ...column, project: w.projectId + 1 }, { token });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details).toHaveProperty('project');
    const [tag] = (await t.get(`/tags/?project=${w.projectId}`, { token })).body.results;
    const put = await t.put(`/tags/${tag.id}/`, { ...tag, colour: '#123456' }, { token });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...tag, colour: '#123456' });
  });

  it('accepts a fetched project, company, contact and user sent back unchanged', async () => {
    const contact = await t.post(
      '/contacts/',
      { name: 'Old client', company: w.companyA },
      { token: w.tokens.superuser },
    );
    expect(contact.status).toBe(201);
    for (const path of [
      `/projects/${w.projectId}/`,
      `/companies/${w.companyA}/`,
      `/contacts/${contact.body.id}/`,
      `/users/${w.ids.user}/`,
    ]) {
      const fetched = await t.get(path, { token: w.tokens.superuser });
      expect(fetched.status, path).toBe(200);
      const res = await t.patch(path, fetched.body, { token: w.tokens.superuser });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      const { updated_at: _a, ...before } = fetched.body;
      const { updated_at: _b, ...after } = res.body;
      expect(after, path).toEqual(before);
    }
  });
});

describe('PUT, a full update', () => {
  it('requires what a create requires', async () => {
    const res = await t.put(`/tickets/${w.otherTicket}/`, { description: 'no title' }, { token: w.tokens.admin });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveProperty('title');
  });

  it('replaces a ticket from its fetched form, checking `version` as PATCH does', async () => {
    const { body: fetched } = await t.get(`/tickets/${w.otherTicket}/`, { token: w.tokens.admin });
    const res = await t.put(`/tickets/${w.otherTicket}/`, { ...fetched, priority_id: 4 }, { token: w.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body.priority_id).toBe(4);
    const stale = await t.put(`/tickets/${w.otherTicket}/`, { ...fetched, priority_id: 1 }, { token: w.tokens.admin });
    expect(stale.status).toBe(409);
  });

  it('keeps the PATCH permission rules: a manager may not replace a ticket', async () => {
    const { body: fetched } = await t.get(`/tickets/${w.otherTicket}/`, { token: w.tokens.manager });
    const res = await t.put(`/tickets/${w.otherTicket}/`, fetched, { token: w.tokens.manager });
    expect(res.status).toBe(403);
  });

  it('replaces a project, a company, a contact and a user', async () => {
    const project = await t.put(
      `/projects/${w.projectId}/`,
      { name: 'Operations', key: 'OPS' },
      {
        token: w.tokens.superadmin,
      },
    );
    expect(project.status).toBe(200);
    expect(project.body.name).toBe('Operations');
    const company = await t.put(`/companies/${w.companyB}/`, { name: 'Globex Renamed' }, { token: w.tokens.superuser });
    expect(company.status).toBe(200);
    expect(company.body.name).toBe('Globex Renamed');
    const missing = await t.put(`/companies/${w.companyB}/`, { slug: 'globex' }, { token: w.tokens.superuser });
    expect(missing.status).toBe(400);
    const contact = await t.post('/contacts/', { name: 'Put me', company: w.companyA }, { token: w.tokens.superuser });
    const replaced = await t.put(`/contacts/${contact.body.id}/`, { name: 'Put you' }, { token: w.tokens.superuser });
    expect(replaced.body.name).toBe('Put you');
    const user = await t.get(`/users/${w.ids.manager}/`, { token: w.tokens.superuser });
    const renamed = await t.put(
      `/users/${w.ids.manager}/`,
      { ...user.body, name: 'Mona Manager' },
      {
        token: w.tokens.superuser,
      },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Mona Manager');
  });
});

describe('405 where the path exists but not the method', () => {
  it('answers 405 with Allow and both error shapes', async () => {
    const res = await t.request('PUT', `/tickets/${w.otherTicket}/attachments/`, { token: w.tokens.admin, body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expect(res.body).toEqual({
      error: { code: 'method_not_allowed', message: 'Method "PUT" not allowed.', details: null },
      detail: 'Method "PUT" not allowed.',
    });
    const members = await t.request('PUT', `/projects/${w.projectId}/members/${w.ids.user}/`, {
      token: w.tokens.superadmin,
      body: { role: 'admin' },
    });
    expect(members.status).toBe(405);
    expect(members.headers.get('allow')).toBe('DELETE, OPTIONS, PATCH');
  });

  it('still answers 404 for a path no route has', async () => {
    const res = await t.request('PUT', '/no-such-thing/1/', { token: w.tokens.admin, body: {} });
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('Not found');
  });

  it('matches parameters, trailing slashes and nothing more', () => {
    const at = allowedMethods([
      { path: '/api/tickets/tickets/:id', method: 'GET' },
      { path: '/api/tickets/tickets/:id', method: 'PATCH' },
      { path: '/api/tickets/tickets', method: 'POST' },
      { path: '/api/tickets/*', method: 'ALL' },
    ]);
    expect(at('/api/tickets/tickets/7')).toEqual(['GET', 'HEAD', 'OPTIONS', 'PATCH']);
    expect(at('/api/tickets/tickets/7/')).toEqual(['GET', 'HEAD', 'OPTIONS', 'PATCH']);
    expect(at('/api/tickets/tickets/')).toEqual(['OPTIONS', 'POST']);
    expect(at('/api/tickets/tickets/7/move')).toEqual([]);
  });
});
