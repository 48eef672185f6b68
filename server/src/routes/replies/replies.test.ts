import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t?.close());

describe('canned responses', () => {
  it('are written by admins, listed by name for every staff member, edited and deleted', async () => {
    const admin = { token: w.tokens.admin };
    const made = await t.post(
      `/projects/${w.projectId}/replies/`,
      { name: 'Thanks', body: 'Thanks {{contact.name}}, {{agent.name}} here about {{ticket.key}}.' },
      admin,
    );
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ project: w.projectId, name: 'Thanks' });
    await t.post(`/projects/${w.projectId}/replies/`, { name: 'apology', body: 'Sorry.' }, admin);
    const listed = await t.get(`/projects/${w.projectId}/replies/`, { token: w.tokens.user });
    expect(listed.body.results.map((r: any) => r.name)).toEqual(['apology', 'Thanks']);
    const patched = await t.patch(`/replies/${made.body.id}/`, { name: 'Thank you' }, admin);
    expect(patched.body).toMatchObject({ name: 'Thank you', body: made.body.body });
    expect((await t.del(`/replies/${made.body.id}/`, admin)).status).toBe(204);
    expect((await t.patch(`/replies/${made.body.id}/`, { name: 'x' }, admin)).status).toBe(404);
  });

  it('refuses a second reply of the same name (any case), an empty body and unknown fields', async () => {
    const admin = { token: w.tokens.admin };
    expect((await t.post(`/projects/${w.projectId}/replies/`, { name: 'Dup', body: 'a' }, admin)).status).toBe(201);
    expect((await t.post(`/projects/${w.projectId}/replies/`, { name: 'DUP', body: 'b' }, admin)).status).toBe(409);
    expect((await t.post(`/projects/${w.projectId}/replies/`, { name: 'Empty', body: '' }, admin)).status).toBe(400);
    expect(
      (await t.post(`/projects/${w.projectId}/replies/`, { name: 'X', body: 'y', project: 1 }, admin)).status,
    ).toBe(400);
  });

  it("keeps them from company people (a client must not read the staff's templates)", async () => {
    const res = await t.get(`/projects/${w.projectId}/replies/`, { token: w.tokens.companyUser });
    expect(res.status).toBe(403);
  });
});
