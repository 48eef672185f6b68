import type { TestApp } from './harness.ts';

/** Every kind of actor in SPEC §4's table, plus the anonymous one (no token). */
export const ACTORS = [
  'superuser',
  'superadmin',
  'admin',
  'manager',
  'user',
  'companyAdmin',
  'companyUser',
  'otherCompanyUser',
  'outsider',
] as const;
export type ActorName = (typeof ACTORS)[number];

export interface World {
  tokens: Record<ActorName, string>;
  ids: Record<ActorName, number>;
  projectId: number;
  companyA: number;
  companyB: number;
  columns: { id: number; name: string; category: string }[];
  /** Reported by `user`, no company. */
  userTicket: number;
  /** Company A's ticket, reported by `companyUser`. */
  companyATicket: number;
  /** Company B's ticket. */
  companyBTicket: number;
  /** Reported by admin, not assigned to `user`. */
  otherTicket: number;
  tagId: number;
}

const PASSWORD = 'world password 1';

/**
 * A project with one member of each role, two linked client companies (A: an admin and a user;
 * B: a user), an outsider, and tickets of each kind, built through the API the way a client
 * would (company ties are set in SQL: the companies API has its own tests).
 */
export async function buildWorld(t: TestApp): Promise<World> {
  const ids = {} as Record<ActorName, number>;
  const tokens = {} as Record<ActorName, string>;
  const root = await t.post('/auth/register/', {
    username: 'superuser',
    email: 'superuser@example.com',
    password: PASSWORD,
  });
  if (root.status !== 201) throw new Error(`register failed: ${JSON.stringify(root.body)}`);
  ids.superuser = root.body.user.id;
  tokens.superuser = root.body.access;
  for (const name of ACTORS.slice(1)) {
    const res = await t.post(
      '/users/',
      { username: name, email: `${name}@example.com`, password: PASSWORD, name },
      { token: tokens.superuser },
    );
    if (res.status !== 201) throw new Error(`create ${name}: ${JSON.stringify(res.body)}`);
    ids[name] = res.body.id;
  }
  const [a] = await t.sql<{ id: number }[]>`insert into companies (name, slug) values ('Acme', 'acme') returning id`;
  const [b] = await t.sql<
    { id: number }[]
  >`insert into companies (name, slug) values ('Globex', 'globex') returning id`;
  const companyA = a!.id;
  const companyB = b!.id;
  await t.sql`insert into company_admins (company_id, user_id) values (${companyA}, ${ids.companyAdmin})`;
  await t.sql`insert into company_users (company_id, user_id) values (${companyA}, ${ids.companyUser})`;
  await t.sql`insert into company_users (company_id, user_id) values (${companyB}, ${ids.otherCompanyUser})`;
  await Promise.all(
    ACTORS.slice(1).map(async (name) => {
      const res = await t.post('/auth/login/', { username: name, password: PASSWORD });
      tokens[name] = res.body.access;
    }),
  );
  const project = await t.post(
    '/projects/',
    { name: 'Operations', key: 'OPS', companies: [companyA, companyB] },
    { token: tokens.superadmin },
  );
  if (project.status !== 201) throw new Error(`project: ${JSON.stringify(project.body)}`);
  const projectId = project.body.id;
  for (const role of ['admin', 'manager', 'user'] as const) {
    const res = await t.post(
      `/projects/${projectId}/members/`,
      { user_id: ids[role], role },
      { token: tokens.superadmin },
    );
    if (res.status !== 201) throw new Error(`member ${role}: ${JSON.stringify(res.body)}`);
  }
  const cols = await t.get(`/columns/?project=${projectId}`, { token: tokens.superadmin });
  const tag = await t.post(
    '/tags/',
    { project: projectId, name: 'bug', colour: '#ff0000' },
    { token: tokens.superadmin },
  );
  const mk = async (token: string, body: Record<string, unknown>) => {
    const res = await t.post('/tickets/', { project: projectId, ...body }, { token });
    if (res.status !== 201) throw new Error(`ticket: ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  return {
    ids,
    tokens,
    projectId,
    companyA,
    companyB,
    columns: cols.body.results,
    tagId: tag.body.id,
    userTicket: await mk(tokens.user, { title: 'User ticket' }),
    companyATicket: await mk(tokens.companyUser, { title: 'Acme printer' }),
    companyBTicket: await mk(tokens.admin, { title: 'Globex login', company: companyB }),
    otherTicket: await mk(tokens.admin, { title: 'Admin ticket' }),
  };
}
