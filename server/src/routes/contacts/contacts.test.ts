import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';

let t: TestApp;
let root: string;
/** Signed-in users by name: their id and access token. */
const who: Record<string, { id: number; token: string }> = {};

async function addUser(name: string) {
  const password = `${name} password`;
  const created = await t.post('/users/', { username: name, email: `${name}@example.com`, password }, { token: root });
  expect(created.status).toBe(201);
  const login = await t.post('/auth/login/', { username: name, password });
  who[name] = { id: created.body.id, token: login.body.access };
}

let acme: number;
let globex: number;
/** Contacts made in beforeAll: at Acme, at Globex, and at no company. */
let wile: any;
let hank: any;
let freelancer: any;

async function addContact(body: Record<string, unknown>, token = root) {
  const res = await t.post('/contacts/', body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await createTestApp();
  const reg = await t.post('/auth/register/', {
    username: 'root',
    email: 'root@example.com',
    password: 'root password',
  });
  root = reg.body.access;
  for (const name of ['ada', 'abe', 'gus', 'staff']) await addUser(name);
  const [project] = await t.sql`insert into projects (name, key) values ('Ops', 'OPS') returning id`;
  await t.sql`insert into user_roles (project_id, user_id, role) values (${project!.id}, ${who.staff!.id}, 'manager')`;
  acme = (await t.post('/companies/', { name: 'Acme', admins: [who.ada!.id], users: [who.abe!.id] }, { token: root }))
    .body.id;
  globex = (await t.post('/companies/', { name: 'Globex', admins: [who.gus!.id] }, { token: root })).body.id;

  wile = await addContact({ company: acme, name: 'Wile E. Coyote', email: 'wile@acme.test', phone: '+1 555 0100' });
  hank = await addContact({ company: globex, name: 'Hank Scorpio', email: 'hank@globex.test' });
  freelancer = await addContact({ name: 'Free Lancer', notes: 'Works for anyone' });
});
afterAll(() => t.close());

describe('happy paths', () => {
  it('creates contacts with defaults and the documented shape', async () => {
    expect(wile).toEqual({
      id: expect.any(Number),
      company: acme,
      name: 'Wile E. Coyote',
      email: 'wile@acme.test',
      phone: '+1 555 0100',
      notes: '',
      created_at: expect.any(String),
    });
    expect(freelancer).toMatchObject({ company: null, email: '', phone: '', notes: 'Works for anyone' });
    const explicitNull = await addContact({ company: null, name: 'Nobody in particular', email: '' });
    expect(explicitNull.company).toBeNull();
    await t.del(`/contacts/${explicitNull.id}/`, { token: root });
  });

  it('reads, updates and deletes a contact', async () => {
    const c = await addContact({ company: acme, name: 'Road Runner' });
    expect((await t.get(`/contacts/${c.id}`, { token: root })).body).toEqual(c);
    const patched = await t.patch(
      `/contacts/${c.id}/`,
      { name: 'Road Runner Jr', email: 'beep@acme.test', company: globex },
      { token: root },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: c.id, name: 'Road Runner Jr', email: 'beep@acme.test', company: globex });
    const cleared = await t.patch(`/contacts/${c.id}/`, { email: '', company: null }, { token: root });
    expect(cleared.body).toMatchObject({ email: '', company: null, name: 'Road Runner Jr' });
    expect((await t.patch(`/contacts/${c.id}/`, {}, { token: root })).body).toEqual(cleared.body);
    const deleted = await t.del(`/contacts/${c.id}/`, { token: root });
    expect(deleted.status).toBe(204);
    expect((await t.get(`/contacts/${c.id}/`, { token: root })).status).toBe(404);
  });

  it('lists with the company filter, search, ordering and pagination', async () => {
    const all = await t.get('/contacts/?ordering=name', { token: root });
    expect(all.status).toBe(200);
    expect(all.body.results.map((c: any) => c.name)).toEqual(['Free Lancer', 'Hank Scorpio', 'Wile E. Coyote']);
    const desc = await t.get('/contacts/?ordering=-created_at', { token: root });
    expect(desc.body.results.map((c: any) => c.id)).toEqual([freelancer.id, hank.id, wile.id]);

    const byCompany = await t.get(`/contacts/?company=${globex}`, { token: root });
    expect(byCompany.body.results.map((c: any) => c.id)).toEqual([hank.id]);
    expect((await t.get('/contacts/?search=globex.test', { token: root })).body.count).toBe(1);
    expect((await t.get('/contacts/?search=555%200100', { token: root })).body.results[0].id).toBe(wile.id);
    expect((await t.get('/contacts/?search=coyote', { token: root })).body.results[0].id).toBe(wile.id);

    const page = await t.get('/contacts/?page_size=2', { token: root });
    expect(page.body).toMatchObject({ count: 3, previous: null });
    expect(page.body.results).toHaveLength(2);
    const next = new URL(page.body.next);
    expect(next.searchParams.get('page')).toBe('2');
    const second = await t.get(`/contacts/${next.search}`, { token: root });
    expect(second.body.results.map((c: any) => c.id)).toEqual([freelancer.id]);
    expect(second.body.next).toBeNull();
  });

  it("keeps a deleted company's contacts, with no company", async () => {
    const doomed = (await t.post('/companies/', { name: 'Doomed' }, { token: root })).body.id;
    const c = await addContact({ company: doomed, name: 'Last Employee' });
    expect((await t.del(`/companies/${doomed}/`, { token: root })).status).toBe(204);
    expect((await t.get(`/contacts/${c.id}/`, { token: root })).body.company).toBeNull();
    await t.del(`/contacts/${c.id}/`, { token: root });
  });
});

describe('errors', () => {
  it('validates bodies with the error envelope', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: 'Bad mail', email: 'not-an-email' }, 'email'],
      [{ name: 'Long phone', phone: '1'.repeat(51) }, 'phone'],
      [{ name: 'Long notes', notes: 'n'.repeat(10_001) }, 'notes'],
      [{ name: 'String company', company: String(acme) }, 'company'],
      [{ name: 'Extra', title: 'CEO' }, 'non_field_errors'],
    ];
    for (const [body, field] of cases) {
      const res = await t.post('/contacts/', body, { token: root });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details), JSON.stringify(body)).toContain(field);
    }
    const patch = await t.patch(`/contacts/${wile.id}/`, { email: 'nope' }, { token: root });
    expect(patch.status).toBe(400);
    expect((await t.patch(`/contacts/${wile.id}/`, { name: null }, { token: root })).status).toBe(400);
  });

  it('rejects an unknown company with 400', async () => {
    const res = await t.post('/contacts/', { name: 'Lost', company: 999_999 }, { token: root });
    expect(res.status).toBe(400);
    expect(res.body.error.details.company).toEqual(['No company 999999']);
    const patch = await t.patch(`/contacts/${wile.id}/`, { company: 999_999 }, { token: root });
    expect(patch.status).toBe(400);
  });

  it('rejects unknown ordering fields and bad filters', async () => {
    const res = await t.get('/contacts/?ordering=email', { token: root });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect((await t.get('/contacts/?company=acme', { token: root })).status).toBe(400);
    expect((await t.get('/contacts/999999/', { token: root })).status).toBe(404);
  });
});

describe('security', () => {
  it('requires a signed-in user', async () => {
    expect((await t.get('/contacts/')).status).toBe(401);
    expect((await t.get(`/contacts/${wile.id}/`)).status).toBe(401);
    expect((await t.post('/contacts/', { name: 'Anon' })).status).toBe(401);
  });

  it("shows company people only their own company's contacts", async () => {
    for (const name of ['ada', 'abe']) {
      const list = await t.get('/contacts/', { token: who[name]!.token });
      expect(
        list.body.results.map((c: any) => c.id),
        name,
      ).toEqual([wile.id]);
      expect(list.body.count).toBe(1);
      // The company filter cannot widen what they see.
      expect((await t.get(`/contacts/?company=${globex}`, { token: who[name]!.token })).body.count).toBe(0);
      expect((await t.get(`/contacts/${wile.id}/`, { token: who[name]!.token })).status).toBe(200);
      expect((await t.get(`/contacts/${hank.id}/`, { token: who[name]!.token })).status).toBe(404);
      expect((await t.get(`/contacts/${freelancer.id}/`, { token: who[name]!.token })).status).toBe(404);
    }
    const gus = await t.get('/contacts/', { token: who.gus!.token });
    expect(gus.body.results.map((c: any) => c.id)).toEqual([hank.id]);
  });

  it('shows staff every contact', async () => {
    const list = await t.get('/contacts/', { token: who.staff!.token });
    expect(list.body.count).toBe(3);
    expect((await t.get(`/contacts/${hank.id}/`, { token: who.staff!.token })).status).toBe(200);
  });

  it("lets a company admin manage their own company's contacts only", async () => {
    const ada = who.ada!.token;
    const mine = await t.post('/contacts/', { company: acme, name: 'Acme Buyer' }, { token: ada });
    expect(mine.status).toBe(201);
    const edited = await t.patch(`/contacts/${mine.body.id}/`, { phone: '555' }, { token: ada });
    expect(edited.status).toBe(200);
    expect(edited.body.phone).toBe('555');

    // Another company's id looks like an unknown one, so ids cannot be probed.
    const elsewhere = await t.post('/contacts/', { company: globex, name: 'Spy' }, { token: ada });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.details.company).toEqual([`No company ${globex}`]);
    const orphan = await t.post('/contacts/', { name: 'No company' }, { token: ada });
    expect(orphan.status).toBe(403);
    const moveAway = await t.patch(`/contacts/${mine.body.id}/`, { company: null }, { token: ada });
    expect(moveAway.status).toBe(403);
    expect((await t.patch(`/contacts/${mine.body.id}/`, { company: globex }, { token: ada })).status).toBe(400);

    expect((await t.patch(`/contacts/${hank.id}/`, { name: 'Mine now' }, { token: ada })).status).toBe(404);
    expect((await t.del(`/contacts/${hank.id}/`, { token: ada })).status).toBe(404);
    expect((await t.get(`/contacts/${hank.id}/`, { token: root })).body.name).toBe('Hank Scorpio');

    expect((await t.del(`/contacts/${mine.body.id}/`, { token: ada })).status).toBe(204);
  });

  it('refuses a company user any change (403)', async () => {
    const abe = who.abe!.token;
    expect((await t.post('/contacts/', { company: acme, name: 'By Abe' }, { token: abe })).status).toBe(403);
    const patch = await t.patch(`/contacts/${wile.id}/`, { name: 'Hacked' }, { token: abe });
    expect(patch.status).toBe(403);
    expect(patch.body.error.code).toBe('forbidden');
    expect((await t.del(`/contacts/${wile.id}/`, { token: abe })).status).toBe(403);
    expect((await t.get(`/contacts/${wile.id}/`, { token: root })).body.name).toBe('Wile E. Coyote');
  });

  it('lets a manager read contacts but not write them (issue 14 row 4)', async () => {
    const staff = who.staff!.token;
    expect((await t.post('/contacts/', { company: globex, name: 'Staff Made' }, { token: staff })).status).toBe(403);
    expect((await t.patch(`/contacts/${hank.id}/`, { notes: 'manager' }, { token: staff })).status).toBe(403);
    expect((await t.del(`/contacts/${hank.id}/`, { token: staff })).status).toBe(403);
    expect((await t.get(`/contacts/${hank.id}/`, { token: staff })).status).toBe(200);
  });
});

describe('documentation', () => {
  it('documents companies and contacts in the OpenAPI document', async () => {
    const doc = await t.get('//api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/tickets/companies',
        '/api/tickets/companies/{id}',
        '/api/tickets/contacts',
        '/api/tickets/contacts/{id}',
      ]),
    );
    expect(doc.body.components.schemas).toHaveProperty('Contact');
    expect(doc.body.components.schemas).toHaveProperty('CompanyPatch');
  });
});
