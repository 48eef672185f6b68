/**
 * Issue 14, rows 4 to 8 over REST: who writes contacts, last writer wins without `version`,
 * what a user with no role and no company sees, a ticket's contact of an unlinked company, and
 * what a company admin may do to their company's people. Each test is named after its row and
 * failed on the code before the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { expectStatus } from '../../../test/routes.ts';
import { buildWorld, type World } from '../../../test/world.ts';

let t: TestApp;
let w: World;
/** A company linked to no project, with one contact. */
let unlinked: { company: number; contact: number };
let contactA: number;
let contactB: number;

const as = (token: string) => ({ token });

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  const su = as(w.tokens.superuser);
  const company = expectStatus(await t.post('/companies/', { name: 'Initech' }, su), 201, 'company').body.id;
  const contact = expectStatus(await t.post('/contacts/', { name: 'Bill', company }, su), 201, 'contact').body.id;
  unlinked = { company, contact };
  contactA = expectStatus(await t.post('/contacts/', { name: 'Wile', company: w.companyA }, su), 201, 'A').body.id;
  contactB = expectStatus(await t.post('/contacts/', { name: 'Hank', company: w.companyB }, su), 201, 'B').body.id;
});
afterAll(() => t.close());

describe('issue 14 row 4: contacts writable by any project member', () => {
  it('row 4: a manager may not create, edit or delete contacts of a linked company', async () => {
    const m = as(w.tokens.manager);
    expect((await t.post('/contacts/', { name: 'Nope', company: w.companyB }, m)).status).toBe(403);
    expect((await t.patch(`/contacts/${contactB}/`, { notes: 'manager' }, m)).status).toBe(403);
    expect((await t.del(`/contacts/${contactB}/`, m)).status).toBe(403);
    expect((await t.post('/contacts/', { name: 'Nope' }, m)).status).toBe(403);
  });

  it('row 4: a `user` may not edit a contact of an unlinked company, nor of a linked one', async () => {
    const u = as(w.tokens.user);
    expect((await t.patch(`/contacts/${unlinked.contact}/`, { notes: 'user' }, u)).status).toBe(403);
    expect((await t.patch(`/contacts/${contactA}/`, { notes: 'user' }, u)).status).toBe(403);
  });

  it("row 4: a project admin edits linked companies' contacts, not an unlinked company's", async () => {
    const a = as(w.tokens.admin);
    expect((await t.patch(`/contacts/${contactA}/`, { notes: 'admin' }, a)).status).toBe(200);
    expect((await t.patch(`/contacts/${unlinked.contact}/`, { notes: 'admin' }, a)).status).toBe(403);
    expect((await t.post('/contacts/', { name: 'Nope', company: unlinked.company }, a)).status).toBe(403);
    // Nor may they move a contact they keep into a company they do not.
    expect((await t.patch(`/contacts/${contactA}/`, { company: unlinked.company }, a)).status).toBe(403);
  });

  it("row 4: a company admin edits their own company's contacts only", async () => {
    const ca = as(w.tokens.companyAdmin);
    expect((await t.patch(`/contacts/${contactA}/`, { notes: 'company admin' }, ca)).status).toBe(200);
    expect((await t.patch(`/contacts/${contactB}/`, { notes: 'company admin' }, ca)).status).toBe(404);
    expect((await t.patch(`/contacts/${contactA}/`, { company: w.companyB }, ca)).status).toBe(400);
  });

  it('row 4: the superuser still writes every contact', async () => {
    const su = as(w.tokens.superuser);
    expect((await t.patch(`/contacts/${unlinked.contact}/`, { notes: 'su' }, su)).status).toBe(200);
    expect((await t.patch(`/contacts/${contactB}/`, { notes: 'su' }, su)).status).toBe(200);
  });
});

describe('issue 14 row 5: moves and PATCHes without `version` answer 409 when raced', () => {
  it('row 5: 5 parallel moves of one ticket × 20 rounds without version: 100 × 200', async () => {
    const id = expectStatus(
      await t.post('/tickets/', { project: w.projectId, title: 'Raced' }, as(w.tokens.admin)),
      201,
      'ticket',
    ).body.id;
    const before = (await t.get(`/tickets/${id}/`, as(w.tokens.admin))).body.version as number;
    const statuses: number[] = [];
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          t.post(`/tickets/${id}/move/`, { column: w.columns[i % w.columns.length]!.id }, as(w.tokens.admin)),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Every move was written: one version each.
    expect((await t.get(`/tickets/${id}/`, as(w.tokens.admin))).body.version).toBe(before + 100);
  });

  it('row 5: parallel PATCHes without version all apply; a stale version is still a 409', async () => {
    const id = expectStatus(
      await t.post('/tickets/', { project: w.projectId, title: 'Patched' }, as(w.tokens.admin)),
      201,
      'ticket',
    ).body.id;
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          t.patch(
            `/tickets/${id}/`,
            i === 4 ? { column: w.columns[round % w.columns.length]!.id } : { title: `Round ${round} writer ${i}` },
            as(w.tokens.admin),
          ),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const current = (await t.get(`/tickets/${id}/`, as(w.tokens.admin))).body;
    const stale = await t.patch(
      `/tickets/${id}/`,
      { title: 'Stale', version: current.version - 1 },
      as(w.tokens.admin),
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.details).toEqual({ version: current.version });
    const staleMove = await t.post(
      `/tickets/${id}/move/`,
      { column: w.columns[0]!.id, version: current.version - 1 },
      as(w.tokens.admin),
    );
    expect(staleMove.status).toBe(409);
  });
});

describe('issue 14 row 6: a user with no role and no company counts as staff', () => {
  it('row 6: gets no user directory and no other user', async () => {
    const o = as(w.tokens.outsider);
    expect((await t.get('/users/', o)).status).toBe(403);
    expect((await t.get(`/users/${w.ids.admin}/`, o)).status).toBe(404);
    expect((await t.get(`/users/${w.ids.outsider}/`, o)).status).toBe(200);
  });

  it('row 6: sees no contacts, of any company or none', async () => {
    const o = as(w.tokens.outsider);
    const noCompany = expectStatus(
      await t.post('/contacts/', { name: 'Walk-in' }, as(w.tokens.superuser)),
      201,
      'contact',
    ).body.id;
    const list = await t.get('/contacts/', o);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 0, results: [] });
    for (const id of [contactA, noCompany, unlinked.contact]) {
      expect((await t.get(`/contacts/${id}/`, o)).status).toBe(404);
      expect((await t.patch(`/contacts/${id}/`, { notes: 'outsider' }, o)).status).toBe(404);
    }
  });
});

describe('issue 14 row 7: a contact of an unlinked company accepted on a ticket without a company', () => {
  it('row 7: POST /tickets/ {project, contact: <unlinked company contact>} is a 400', async () => {
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Foreign contact', contact: unlinked.contact },
      as(w.tokens.admin),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveProperty('contact');
  });

  it('row 7: PATCH {contact: <unlinked company contact>} on a company-less ticket is a 400', async () => {
    const res = await t.patch(`/tickets/${w.otherTicket}/`, { contact: unlinked.contact }, as(w.tokens.admin));
    expect(res.status).toBe(400);
  });

  it("row 7: a linked company's contact and a company-less one are still accepted", async () => {
    const walkIn = expectStatus(
      await t.post('/contacts/', { name: 'Walk-in 2' }, as(w.tokens.superuser)),
      201,
      'contact',
    ).body.id;
    for (const contact of [contactA, walkIn]) {
      const res = await t.post('/tickets/', { project: w.projectId, title: 'Ok', contact }, as(w.tokens.admin));
      expect(res.status).toBe(201);
    }
  });
});

describe('issue 14 row 8: a company admin can pull any user into their company', () => {
  const people = () => as(w.tokens.companyAdmin);

  it("row 8: another client's people and the superuser are refused like unknown ids", async () => {
    const path = `/companies/${w.companyA}/`;
    const foreign = await t.patch(path, { users: [w.ids.companyUser, w.ids.otherCompanyUser] }, people());
    const superuser = await t.patch(path, { users: [w.ids.superuser] }, people());
    const staff = await t.patch(path, { users: [w.ids.admin] }, people());
    const unknown = await t.patch(path, { users: [999_999] }, people());
    for (const res of [foreign, superuser, staff, unknown]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(unknown.body.error.code);
      expect(res.body.error.message).toBe(unknown.body.error.message);
    }
    // The message names the id asked for, the same way whether or not it exists.
    expect(unknown.body.error.details).toEqual({ users: ['No user 999999'] });
    expect(foreign.body.error.details).toEqual({ users: [`No user ${w.ids.otherCompanyUser}`] });
    const company = (await t.get(path, as(w.tokens.superuser))).body;
    expect(company.users).toEqual([w.ids.companyUser]);
  });

  it('row 8: a company admin still removes and keeps their own people', async () => {
    const path = `/companies/${w.companyA}/`;
    expect((await t.patch(path, { users: [] }, people())).status).toBe(200);
    // Gone is gone: bringing them back is an invitation's job, not this list's.
    expect((await t.patch(path, { users: [w.ids.companyUser] }, people())).status).toBe(400);
    expectStatus(await t.patch(path, { users: [w.ids.companyUser] }, as(w.tokens.superuser)), 200, 'restore');
    expect((await t.patch(path, { users: [w.ids.companyUser, w.ids.companyAdmin] }, people())).status).toBe(200);
    expect((await t.get(path, as(w.tokens.superuser))).body.users).toEqual(
      [w.ids.companyUser, w.ids.companyAdmin].sort((a, b) => a - b),
    );
  });

  it('row 8: the superuser still adds anyone, and unknown ids are still named', async () => {
    const path = `/companies/${w.companyA}/`;
    const su = as(w.tokens.superuser);
    expect((await t.patch(path, { users: [w.ids.companyUser, w.ids.outsider] }, su)).status).toBe(200);
    expect((await t.patch(path, { users: [999_999] }, su)).status).toBe(400);
    expectStatus(await t.patch(path, { users: [w.ids.companyUser] }, su), 200, 'restore');
  });
});
