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

let acme: any;
let globex: any;

beforeAll(async () => {
  t = await createTestApp();
  const reg = await t.post('/auth/register/', {
    username: 'root',
    email: 'root@example.com',
    password: 'root password',
  });
  root = reg.body.access;
  who.root = { id: reg.body.user.id, token: root };
  for (const name of ['ada', 'abe', 'gus', 'staff', 'nobody']) await addUser(name);
  // There is no project API yet: make `staff` a project member directly.
  const [project] = await t.sql`insert into projects (name, key) values ('Ops', 'OPS') returning id`;
  await t.sql`insert into user_roles (project_id, user_id, role) values (${project!.id}, ${who.staff!.id}, 'user')`;

  acme = (await t.post('/companies/', { name: 'Acme', admins: [who.ada!.id], users: [who.abe!.id] }, { token: root }))
    .body;
  globex = (await t.post('/companies/', { name: 'Globex', users: [who.gus!.id] }, { token: root })).body;
});
afterAll(() => t.close());

describe('superuser CRUD', () => {
  it('creates a company with a slug derived from its name and sorted people', async () => {
    const res = await t.post(
      '/companies/',
      { name: 'Initech & Sons, Ltd.', admins: [who.staff!.id, who.root!.id], users: [who.abe!.id, who.abe!.id] },
      { token: root },
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'Initech & Sons, Ltd.',
      domains: [],
      slug: 'initech-sons-ltd',
      admins: [who.staff!.id, who.root!.id].sort((a, b) => a - b),
      users: [who.abe!.id],
      created_at: expect.any(String),
    });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
  });

  it('reads, renames and deletes a company, with or without the trailing slash', async () => {
    const created = await t.post('/companies', { name: 'Hooli', slug: 'hooli-xyz' }, { token: root });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'hooli-xyz', admins: [], users: [] });
    const id = created.body.id;
    expect((await t.get(`/companies/${id}`, { token: root })).body).toEqual(created.body);

    const renamed = await t.patch(
      `/companies/${id}/`,
      { name: 'Hooli Inc', admins: [who.ada!.id], users: [] },
      { token: root },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: 'Hooli Inc', slug: 'hooli-xyz', admins: [who.ada!.id], users: [] });

    const deleted = await t.del(`/companies/${id}/`, { token: root });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await t.get(`/companies/${id}/`, { token: root })).status).toBe(404);
    expect((await t.del(`/companies/${id}/`, { token: root })).status).toBe(404);
    const [{ n }] = (await t.sql`select count(*)::int as n from company_admins where company_id = ${id}`) as any;
    expect(n).toBe(0);
  });

  it('lists with search, ordering and pagination links', async () => {
    for (const name of ['Zeta Corp', 'Yak Ltd', 'Xeno plc']) {
      expect((await t.post('/companies/', { name }, { token: root })).status).toBe(201);
    }
    const all = await t.get('/companies/?ordering=-name', { token: root });
    expect(all.status).toBe(200);
    const names = all.body.results.map((c: any) => c.name);
    expect(names).toEqual([...names].sort().reverse());
    expect(all.body).toMatchObject({ count: names.length, next: null, previous: null });

    const first = await t.get('/companies/?page_size=2&ordering=name', { token: root });
    expect(first.body.results).toHaveLength(2);
    expect(first.body.count).toBe(names.length);
    const next = new URL(first.body.next);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('page_size')).toBe('2');
    expect(next.searchParams.get('ordering')).toBe('name');
    const second = await t.get(`/companies/${next.search}`, { token: root });
    expect(second.body.results[0].name > first.body.results[1].name).toBe(true);
    expect(second.body.previous).toBeTruthy();

    const search = await t.get('/companies/?search=YAK', { token: root });
    expect(search.body.results.map((c: any) => c.name)).toEqual(['Yak Ltd']);
    const bySlug = await t.get('/companies/?search=xeno-plc', { token: root });
    expect(bySlug.body.count).toBe(1);
    const literal = await t.get('/companies/?search=%25', { token: root });
    expect(literal.body.count).toBe(0);
  });
});

describe('errors', () => {
  it('answers a duplicate slug with 409, on create and on update', async () => {
    const dup = await t.post('/companies/', { name: 'ACME' }, { token: root });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    const explicit = await t.post('/companies/', { name: 'Other', slug: 'Globex' }, { token: root });
    expect(explicit.status).toBe(409);
    const patch = await t.patch(`/companies/${acme.id}/`, { slug: 'globex' }, { token: root });
    expect(patch.status).toBe(409);
    // Its own slug is not a clash.
    expect((await t.patch(`/companies/${acme.id}/`, { slug: 'acme' }, { token: root })).status).toBe(200);
  });

  it('rejects unknown user ids with 400 naming the field, and writes nothing', async () => {
    const res = await t.post('/companies/', { name: 'Ghost Co', admins: [who.ada!.id, 999_999] }, { token: root });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.admins).toEqual(['No user 999999']);
    expect((await t.get('/companies/?search=Ghost', { token: root })).body.count).toBe(0);

    const patch = await t.patch(`/companies/${acme.id}/`, { users: [who.abe!.id, 424_242] }, { token: root });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details.users).toEqual(['No user 424242']);
    expect((await t.get(`/companies/${acme.id}/`, { token: root })).body.users).toEqual([who.abe!.id]);
  });

  it('validates bodies with the error envelope', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: 'Bad slug', slug: 'no spaces here' }, 'slug'],
      [{ name: 'Strings', admins: ['1'] }, 'admins.0'],
      [{ name: 'Extra', colour: 'red' }, 'non_field_errors'],
    ];
    for (const [body, field] of cases) {
      const res = await t.post('/companies/', body, { token: root });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details), JSON.stringify(body)).toContain(field);
    }
    const unslugged = await t.post('/companies/', { name: '!!!' }, { token: root });
    expect(unslugged.status).toBe(400);
    expect(unslugged.body.error.details).toHaveProperty('slug');
    const noBody = await t.request('POST', '/companies/', { token: root });
    expect(noBody.status).toBe(400);
    const patchExtra = await t.patch(`/companies/${acme.id}/`, { id: 5 }, { token: root });
    expect(patchExtra.status).toBe(400);
  });

  it('rejects unknown ordering fields, bad ids and pages past the end', async () => {
    const res = await t.get('/companies/?ordering=slug', { token: root });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect((await t.get('/companies/abc/', { token: root })).status).toBe(400);
    expect((await t.get('/companies/99999999999/', { token: root })).status).toBe(400);
    expect((await t.get('/companies/?page=999', { token: root })).status).toBe(404);
  });
});

describe('security', () => {
  it('requires a signed-in user', async () => {
    expect((await t.get('/companies/')).status).toBe(401);
    expect((await t.get(`/companies/${acme.id}/`)).status).toBe(401);
    expect((await t.post('/companies/', { name: 'Anon' })).status).toBe(401);
  });

  it('lets only the superuser create and delete companies', async () => {
    for (const name of ['ada', 'staff', 'nobody']) {
      const res = await t.post('/companies/', { name: `By ${name}` }, { token: who[name]!.token });
      expect(res.status, name).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await t.del(`/companies/${acme.id}/`, { token: who.ada!.token })).status).toBe(403);
    expect((await t.del(`/companies/${acme.id}/`, { token: who.staff!.token })).status).toBe(403);
    expect((await t.del(`/companies/${acme.id}/`, { token: who.gus!.token })).status).toBe(404);
  });

  it("lets a company admin replace the company's users, and nothing else", async () => {
    const ada = who.ada!.token;
    const ok = await t.patch(`/companies/${acme.id}/`, { users: [who.abe!.id, who.ada!.id] }, { token: ada });
    expect(ok.status).toBe(200);
    expect(ok.body.users).toEqual([who.ada!.id, who.abe!.id].sort((a, b) => a - b));
    // Someone who does not belong yet is for an invitation, not this list (issue 14 row 8).
    const pulled = await t.patch(`/companies/${acme.id}/`, { users: [who.abe!.id, who.nobody!.id] }, { token: ada });
    expect(pulled.status).toBe(400);
    for (const body of [
      { name: 'Acme Evil' },
      { slug: 'evil' },
      { admins: [who.ada!.id, who.abe!.id] },
      { users: [who.abe!.id], name: 'Sneaky' },
    ]) {
      const res = await t.patch(`/companies/${acme.id}/`, body, { token: ada });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const after = (await t.get(`/companies/${acme.id}/`, { token: root })).body;
    expect(after).toMatchObject({ name: 'Acme', slug: 'acme', admins: [who.ada!.id] });
    // Another company is not theirs to see.
    expect((await t.patch(`/companies/${globex.id}/`, { users: [] }, { token: ada })).status).toBe(404);
    // Put things back for the other tests.
    await t.patch(`/companies/${acme.id}/`, { users: [who.abe!.id] }, { token: ada });
  });

  it('refuses a company user, and staff, any change (403)', async () => {
    const abe = await t.patch(`/companies/${acme.id}/`, { users: [] }, { token: who.abe!.token });
    expect(abe.status).toBe(403);
    const staff = await t.patch(`/companies/${acme.id}/`, { users: [] }, { token: who.staff!.token });
    expect(staff.status).toBe(403);
    expect((await t.get(`/companies/${acme.id}/`, { token: root })).body.users).toEqual([who.abe!.id]);
  });

  it('hides other companies from company people (404, and absent from the list)', async () => {
    expect((await t.get(`/companies/${acme.id}/`, { token: who.gus!.token })).status).toBe(404);
    expect((await t.patch(`/companies/${acme.id}/`, { name: 'x' }, { token: who.gus!.token })).status).toBe(404);
    expect((await t.get(`/companies/${globex.id}/`, { token: who.gus!.token })).status).toBe(200);
    const gus = await t.get('/companies/', { token: who.gus!.token });
    expect(gus.body.results.map((c: any) => c.id)).toEqual([globex.id]);
    expect(gus.body.count).toBe(1);
    const ada = await t.get('/companies/', { token: who.ada!.token });
    expect(ada.body.results.map((c: any) => c.id)).toEqual([acme.id]);
  });

  it('shows staff every company, and a user with no ties none', async () => {
    const staff = await t.get('/companies/?page_size=200', { token: who.staff!.token });
    const all = await t.get('/companies/?page_size=200', { token: root });
    expect(staff.body.count).toBe(all.body.count);
    expect((await t.get(`/companies/${globex.id}/`, { token: who.staff!.token })).status).toBe(200);
    const nobody = await t.get('/companies/', { token: who.nobody!.token });
    expect(nobody.body).toEqual({ count: 0, next: null, previous: null, results: [] });
    expect((await t.get(`/companies/${acme.id}/`, { token: who.nobody!.token })).status).toBe(404);
  });
});

describe('mail domains', () => {
  it('are stored lower-case without duplicates, and edited by the superuser only', async () => {
    const created = await t.post(
      '/companies/',
      { name: 'Domain Co', domains: ['Domain.Example', 'domain.example', 'mail.domain.example'] },
      { token: root },
    );
    expect(created.status).toBe(201);
    expect(created.body.domains).toEqual(['domain.example', 'mail.domain.example']);
    const patched = await t.patch(`/companies/${created.body.id}/`, { domains: ['other.example'] }, { token: root });
    expect(patched.status).toBe(200);
    expect(patched.body.domains).toEqual(['other.example']);
    // Company admins manage their people, not which mail lands in their company.
    const byAdmin = await t.patch(`/companies/${acme.id}/`, { domains: ['acme.example'] }, { token: who.ada!.token });
    expect(byAdmin.status).toBe(403);
  });

  it('belong to one company at most: a second claim is a 409 naming the holder (mail would go to the wrong company)', async () => {
    const first = await t.post('/companies/', { name: 'Holder', domains: ['held.example'] }, { token: root });
    expect(first.status).toBe(201);
    const second = await t.post('/companies/', { name: 'Claimer', domains: ['held.example'] }, { token: root });
    expect(second.status).toBe(409);
    expect(second.body.error.details).toEqual({ domains: ['held.example belongs to Holder'] });
    const patched = await t.patch(`/companies/${globex.id}/`, { domains: ['HELD.example'] }, { token: root });
    expect(patched.status).toBe(409);
    // Its own domains again are no clash.
    const same = await t.patch(`/companies/${first.body.id}/`, { domains: ['held.example'] }, { token: root });
    expect(same.status).toBe(200);
  });

  it('refuses two companies claiming one domain at once: exactly one wins', async () => {
    const results = await Promise.all(
      ['Racer A', 'Racer B', 'Racer C'].map((name) =>
        t.post('/companies/', { name, domains: ['race.example'] }, { token: root }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('refuses what is not a domain', async () => {
    for (const domains of [['@acme.example'], ['acme'], ['a b.example'], ['x'.repeat(300)], 'acme.example']) {
      const res = await t.post('/companies/', { name: 'Bad Domains', domains }, { token: root });
      expect(res.status, JSON.stringify(domains)).toBe(400);
    }
  });
});
