import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type ActorName, type World } from '../../../../test/world.ts';
import { resolveTicketKeys } from '../../services/ticket-keys.ts';

let t: TestApp;
let w: World;
/** Keys of the world's tickets, and of a ticket in a project only the superadmin belongs to. */
let keys: { user: string; companyA: string; companyB: string; other: string; hidden: string };
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  const key = async (id: number) => (await t.get(`/tickets/${id}/`, { token: w.tokens.superuser })).body.key as string;
  const project = await t.post('/projects/', { name: 'Finance', key: 'FIN' }, { token: w.tokens.superadmin });
  const hidden = await t.post(
    '/tickets/',
    { project: project.body.id, title: 'Salaries 2027' },
    { token: w.tokens.superadmin },
  );
  expect(hidden.status).toBe(201);
  keys = {
    user: await key(w.userTicket),
    companyA: await key(w.companyATicket),
    companyB: await key(w.companyBTicket),
    other: await key(w.otherTicket),
    hidden: hidden.body.key,
  };
});
afterAll(() => t.close());

const all = () => [keys.user, keys.companyA, keys.companyB, keys.other, keys.hidden, 'OPS-999999', 'NOPE-1'];

/** The keys `actor` gets back when asking for every key above. */
async function resolvedBy(actor: ActorName): Promise<string[]> {
  const res = await t.get(`/tickets/resolve/?keys=${all().join(',')}`, { token: w.tokens[actor] });
  expect(res.status).toBe(200);
  return (res.body as { key: string }[]).map((r) => r.key).sort();
}

describe('GET /tickets/resolve/', () => {
  it('answers key, id and title of each visible ticket', async () => {
    const res = await t.get(`/tickets/resolve/?keys=${keys.companyA}`, { token: w.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ key: keys.companyA, id: w.companyATicket, title: 'Acme printer' }]);
  });

  it("gives a company person only their company's tickets", async () => {
    expect(await resolvedBy('companyUser')).toEqual([keys.companyA]);
    expect(await resolvedBy('companyAdmin')).toEqual([keys.companyA]);
    expect(await resolvedBy('otherCompanyUser')).toEqual([keys.companyB]);
  });

  it("gives staff only their projects' tickets, the superuser all, an outsider none", async () => {
    const ops = [keys.user, keys.companyA, keys.companyB, keys.other].sort();
    expect(await resolvedBy('user')).toEqual(ops);
    expect(await resolvedBy('manager')).toEqual(ops);
    expect(await resolvedBy('superadmin')).toEqual([...ops, keys.hidden].sort());
    expect(await resolvedBy('superuser')).toEqual([...ops, keys.hidden].sort());
    expect(await resolvedBy('outsider')).toEqual([]);
  });

  it('answers a hidden key exactly as a key that names nothing', async () => {
    const hidden = await t.get(`/tickets/resolve/?keys=${keys.hidden}`, { token: w.tokens.admin });
    const missing = await t.get('/tickets/resolve/?keys=FIN-424242', { token: w.tokens.admin });
    expect(hidden.status).toBe(missing.status);
    expect(hidden.body).toEqual([]);
    expect(missing.body).toEqual([]);
  });

  it('is the service: the same visibility when called directly', async () => {
    const db = t.runtime.deps.db;
    const actor = { id: w.ids.companyUser, username: 'companyUser', isSuperuser: false };
    expect(await resolveTicketKeys(db, actor, all())).toEqual([
      { key: keys.companyA, id: w.companyATicket, title: 'Acme printer' },
    ]);
  });

  it('refuses malformed keys, too many keys and no keys with 400', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `OPS-${i + 1}`).join(',');
    for (const query of ['keys=ops-1', 'keys=OPS-0', 'keys=OPS-1;drop', 'keys=', `keys=${tooMany}`, '']) {
      const res = await t.get(`/tickets/resolve/?${query}`, { token: w.tokens.admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });

  it('is for signed-in callers only', async () => {
    expect((await t.get(`/tickets/resolve/?keys=${keys.user}`)).status).toBe(401);
  });
});
