/**
 * Importing into an existing project (issue 19, decision 0054): names matched, numbers and
 * places after what the project has, one transaction, once per import, the superuser only, and
 * live on the board.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { JobHelpers } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../../test/world.ts';
import { importProject } from '../../../../workers/src/tasks/import_project.ts';
import { runImport } from '../../services/imports.ts';
import { isOrderKey } from '../../services/ordering.ts';
import { withPublisher } from '../../services/publish.ts';

const FIXTURES = new URL('../../../../test/fixtures/imports/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, FIXTURES));

let t: TestApp;
let w: World;
let alice: number;
beforeAll(async () => {
  t = await createTestApp({ WORKER_MODE: 'off' });
  w = await buildWorld(t);
  const su = { token: w.tokens.superuser };
  // alice becomes a member of each project below; bob stays outside them all.
  const ids: number[] = [];
  for (const [username, email] of [
    ['alice', 'alice@example.com'],
    ['bob', 'bob@example.com'],
  ]) {
    const res = await t.post('/users/', { username, email, password: 'a long enough password' }, su);
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  alice = ids[0]!;
  // A company of this instance that is linked to no project.
  expect((await t.post('/companies/', { name: 'Initech' }, su)).status).toBe(201);
});
afterAll(() => t.close());

const storage = () => ({ dir: t.runtime.deps.config.uploadDir });

function form(source: string, name: string, bytes: Uint8Array<ArrayBuffer> | string, mapping?: object): FormData {
  const f = new FormData();
  f.append('source', source);
  if (mapping) f.append('mapping', JSON.stringify(mapping));
  f.append('file', new Blob([bytes]), name);
  return f;
}

/**
 * A project as a team has been using it: the default columns (one renamed " to do "), a
 * `Bug` tag, a select field, alice as a member (bob is not), Acme linked, and tickets in two
 * columns, one of them archived.
 */
async function usedProject(key: string) {
  const sa = { token: w.tokens.superadmin };
  const project = await t.post('/projects/', { name: `Used ${key}`, key, companies: [w.companyA] }, sa);
  expect(project.status).toBe(201);
  const id = project.body.id as number;
  expect((await t.post(`/projects/${id}/members/`, { user_id: alice, role: 'user' }, sa)).status).toBe(201);
  const columns = (await t.get(`/columns/?project=${id}`, sa)).body.results as { id: number; name: string }[];
  const todo = columns.find((c) => c.name === 'To Do')!.id;
  const done = columns.find((c) => c.name === 'Done')!.id;
  expect((await t.patch(`/columns/${todo}/`, { name: ' to do ' }, sa)).status).toBe(200);
  expect((await t.post('/tags/', { project: id, name: 'Bug' }, sa)).status).toBe(201);
  const field = await t.post(
    `/projects/${id}/fields/`,
    { name: 'Severity', type: 'select', options: [{ label: 'Minor' }] },
    sa,
  );
  expect(field.status).toBe(201);
  for (const [title, column] of [
    ['Existing one', todo],
    ['Existing two', todo],
    ['Existing three', done],
  ] as const) {
    expect((await t.post('/tickets/', { project: id, title, column }, sa)).status).toBe(201);
  }
  const archived = await t.post('/tickets/', { project: id, title: 'Existing archived', column: todo }, sa);
  expect((await t.post(`/tickets/${archived.body.id}/archive/`, undefined, sa)).status).toBe(200);
  return { id, todo, done };
}

/** Everything an import into `projectId` may change, to compare before and after. */
async function snapshot(projectId: number) {
  const s = t.sql;
  const [project] = await s`select ticket_seq,
      (select seq from topic_seqs where topic = ${`project:${projectId}`}) as seq
    from projects where id = ${projectId}`;
  const columns = await s`select id, name, category, position from columns
    where project_id = ${projectId} order by position`;
  const tags = await s`select id, name from tags where project_id = ${projectId} order by id`;
  const fields = await s`select id, name, type, options from custom_fields where project_id = ${projectId} order by id`;
  const tickets = await s`select id, number, title, column_id, position, company_id, is_archived,
      array(select user_id from ticket_assignees a where a.ticket_id = t.id order by user_id) as assignees,
      array(select g.name from ticket_tags tt join tags g on g.id = tt.tag_id where tt.ticket_id = t.id order by g.name) as tags
    from tickets t where project_id = ${projectId} order by number`;
  const activity = await s`select count(*)::int as n from activity where project_id = ${projectId}`;
  return { project, columns, tags, fields, tickets, activity: activity[0]!.n as number };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Queues an import into `projectId` as the superuser and answers its id. */
async function queue(projectId: number, data: FormData): Promise<number> {
  const res = await t.post(`/projects/${projectId}/import/`, data, { token: w.tokens.superuser });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as number;
}

async function status(id: number) {
  const res = await t.get(`/imports/${id}/`, { token: w.tokens.superuser });
  expect(res.status).toBe(200);
  return res.body as {
    status: string;
    project: number;
    into_existing: boolean;
    created: Record<string, number>;
    warnings: string[];
    error: string | null;
  };
}

/** The invariants of any import into a project that had `before`: new rows after the old ones. */
function expectAppended(before: Snapshot, after: Snapshot) {
  const old = new Map(before.tickets.map((x) => [x.id, x]));
  // Nothing the project had changed.
  for (const x of after.tickets.filter((x) => old.has(x.id))) expect(x).toEqual(old.get(x.id));
  const added = after.tickets.filter((x) => !old.has(x.id));
  // Numbers: unique, continuing the sequence, which ends at the last one.
  const numbers = after.tickets.map((x) => x.number);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(added.map((x) => x.number)).toEqual(added.map((_, i) => Number(before.project!.ticket_seq) + i + 1));
  expect(after.project!.ticket_seq).toBe(Number(before.project!.ticket_seq) + added.length);
  // Places: valid keys, after every card the column had (archived ones too).
  for (const x of added) {
    expect(isOrderKey(x.position)).toBe(true);
    for (const y of before.tickets.filter((y) => y.column_id === x.column_id))
      expect(x.position > y.position).toBe(true);
  }
  // Columns: the old ones kept, new ones to their right.
  expect(after.columns.slice(0, before.columns.length)).toEqual(before.columns);
  return added;
}

/** The board as the API reads it: every ticket once, in each column's order. */
async function expectBoardOnce(projectId: number) {
  const board = await t.get(`/projects/${projectId}/board/`, { token: w.tokens.superuser });
  expect(board.status).toBe(200);
  const ids = (board.body.columns as { tickets: { id: number; position: string }[] }[]).flatMap((c) => {
    const keys = c.tickets.map((x) => x.position);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    return c.tickets.map((x) => x.id);
  });
  expect(new Set(ids).size).toBe(ids.length);
  const live = await t.sql`select id from tickets where project_id = ${projectId} and not is_archived order by id`;
  expect([...ids].sort((a, b) => a - b)).toEqual(live.map((r) => r.id));
}

const CSV = [
  'title,column,tags,assignees,priority,company',
  'First import,  TO DO ,"BUG, ui",alice,High,Acme',
  'Second import,To do,ui,bob,,Initech',
  'Third import,Blocked,,,,',
  'Fourth import,DONE,bug,,Urgent,',
  'Fifth import,to do,,alice,,',
].join('\n');

describe('a CSV into an existing project', () => {
  it('matches columns and tags by name, creates the rest, numbers and places after what is there', async () => {
    const p = await usedProject('CSVIN');
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('csv', 'more.csv', CSV));
    expect(await status(id)).toMatchObject({ status: 'queued', project: p.id, into_existing: true });
    await runImport(t.runtime.deps.db, id, storage());
    const done = await status(id);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.created).toMatchObject({ tickets: 5, columns: 1, tags: 1 });
    expect(done.warnings.join('\n')).toMatch(/Initech.*not linked/);
    expect(done.warnings.join('\n')).toMatch(/@bob is not a member/);

    const after = await snapshot(p.id);
    const added = expectAppended(before, after);
    expect(added.map((x) => x.title)).toEqual([
      'First import',
      'Second import',
      'Third import',
      'Fourth import',
      'Fifth import',
    ]);
    // One new column, "Blocked", at the right end; the names that differ only in case and spaces matched.
    expect(after.columns.map((c) => c.name)).toEqual([...before.columns.map((c) => c.name), 'Blocked']);
    expect(after.columns.at(-1)!.category).toBe('in_progress');
    const blocked = after.columns.at(-1)!.id;
    const byTitle = new Map(added.map((x) => [x.title, x]));
    expect(byTitle.get('First import')!.column_id).toBe(p.todo);
    expect(byTitle.get('Fifth import')!.column_id).toBe(p.todo);
    expect(byTitle.get('Third import')!.column_id).toBe(blocked);
    expect(byTitle.get('Fourth import')!.column_id).toBe(p.done);
    // In the file's order within a column.
    expect(byTitle.get('First import')!.position < byTitle.get('Second import')!.position).toBe(true);
    expect(byTitle.get('Second import')!.position < byTitle.get('Fifth import')!.position).toBe(true);
    // "BUG" and "bug" are the project's "Bug"; "ui" is new, once.
    expect(after.tags.map((g) => g.name)).toEqual(['Bug', 'ui']);
    expect(byTitle.get('First import')!.tags).toEqual(['Bug', 'ui']);
    expect(byTitle.get('Fourth import')!.tags).toEqual(['Bug']);
    // alice is a member: kept; bob is not: left off. Acme is linked: kept; Initech is not.
    expect(byTitle.get('First import')!.assignees).toEqual([alice]);
    expect(byTitle.get('Second import')!.assignees).toEqual([]);
    expect(byTitle.get('First import')!.company_id).toBe(w.companyA);
    expect(byTitle.get('Second import')!.company_id).toBeNull();
    await expectBoardOnce(p.id);

    // Each imported ticket has its creation in its activity, by the superuser.
    const created = await t.sql`select a.actor_id from activity a join tickets x on x.id = a.ticket_id
      where x.project_id = ${p.id} and a.verb = 'ticket.created' and x.title like '% import'`;
    expect(created.map((r) => r.actor_id)).toEqual(added.map(() => w.ids.superuser));
  });

  it("puts every row in the project's first open column when the file maps no column", async () => {
    const p = await usedProject('CSVNC');
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('csv', 'plain.csv', 'Summary,Notes\nOnly a title,\nAnother,with notes\n'));
    await runImport(t.runtime.deps.db, id, storage());
    expect((await status(id)).status).toBe('done');
    const after = await snapshot(p.id);
    const added = expectAppended(before, after);
    expect(added.map((x) => [x.title, x.column_id])).toEqual([
      ['Only a title', p.todo],
      ['Another', p.todo],
    ]);
    // No placeholder columns appeared.
    expect(after.columns).toEqual(before.columns);
  });
});

describe('a Trello board into an existing project', () => {
  it('matches lists and labels by name, adds the rest, and keeps cards, checklists and comments', async () => {
    const p = await usedProject('TRIN');
    const sa = { token: w.tokens.superadmin };
    // The project already has "doing" (the board's "Doing") and "frontend" (its "Frontend").
    const doing = await t.post('/columns/', { project: p.id, name: 'doing ', category: 'in_progress' }, sa);
    expect(doing.status).toBe(201);
    expect((await t.post('/tags/', { project: p.id, name: 'frontend' }, sa)).status).toBe(201);
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('trello', 'board.json', await fixture('trello-board.json')));
    await runImport(t.runtime.deps.db, id, storage());
    const done = await status(id);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.created).toMatchObject({ tickets: 6, columns: 3, tags: 2, comments: 3, checklist_items: 5 });

    const after = await snapshot(p.id);
    const added = expectAppended(before, after);
    expect(after.columns.slice(before.columns.length).map((c) => [c.name, c.category])).toEqual([
      ['Backlog', 'todo'],
      ['Done ✔', 'done'],
      ['Old ideas', 'todo'],
    ]);
    // Labels: Bug and Frontend matched; the unnamed blue one and Content are new.
    expect(after.tags.map((g) => g.name)).toEqual(['Bug', 'frontend', 'blue', 'Content']);
    const home = added.find((x) => x.title === 'Design the home page')!;
    expect(home.column_id).toBe(doing.body.id);
    expect(home.tags).toEqual(['Content', 'frontend']);
    expect(home.assignees).toEqual([alice]);
    // Trello's numbers (idShort 1..6) keep their order after the project's own.
    const trelloOrder = [
      'Design the home page',
      'Fix broken contact form',
      'Write the About page copy',
      'Set up analytics',
      'Old carousel idea',
      'Dark mode',
    ];
    expect(added.map((x) => x.title)).toEqual(trelloOrder);
    expect(added.filter((x) => x.is_archived).map((x) => x.title)).toEqual(['Old carousel idea', 'Dark mode']);
    const [checklist] =
      await t.sql`select count(*)::int as n from checklist_items i join tickets x on x.id = i.ticket_id
      where x.id = ${home.id}`;
    expect(checklist!.n).toBe(3);
    const comments = await t.sql`select c.body from comments c join tickets x on x.id = c.ticket_id
      where x.project_id = ${p.id} order by c.created_at`;
    expect(comments).toHaveLength(3);
    await expectBoardOnce(p.id);

    // The same board again: names match the columns and tags the first import made.
    const again = await queue(p.id, form('trello', 'board.json', await fixture('trello-board.json')));
    await runImport(t.runtime.deps.db, again, storage());
    expect((await status(again)).created).toMatchObject({ tickets: 6, columns: 0, tags: 0 });
    const third = await snapshot(p.id);
    expect(third.columns).toEqual(after.columns);
    expectAppended(after, third);
    await expectBoardOnce(p.id);
  });
});

describe('a Laneway export into an existing project', () => {
  it('matches fields by name and options by label, adds the missing ones, and keeps the values', async () => {
    const sa = { token: w.tokens.superadmin };
    const source = await t.post('/projects/', { name: 'Source', key: 'SRC' }, sa);
    const src = source.body.id as number;
    const severity = await t.post(
      `/projects/${src}/fields/`,
      { name: 'Severity', type: 'select', options: [{ label: 'minor' }, { label: 'Major' }] },
      sa,
    );
    const effort = await t.post(`/projects/${src}/fields/`, { name: 'Effort', type: 'number' }, sa);
    const reach = await t.post(`/projects/${src}/fields/`, { name: 'Reach', type: 'number' }, sa);
    const ticket = await t.post(
      '/tickets/',
      {
        project: src,
        title: 'Exported ticket',
        fields: {
          [severity.body.id]: severity.body.options[1].id,
          [effort.body.id]: 3,
          [reach.body.id]: 10,
        },
      },
      sa,
    );
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const archive = await t.app.request(`http://laneway.test/api/tickets/projects/${src}/export/`, {
      headers: { authorization: `Bearer ${sa.token}` },
    });
    expect(archive.status).toBe(200);
    const bytes = new Uint8Array(await archive.arrayBuffer());

    const p = await usedProject('LWIN');
    // "Effort" exists here as text: the file's numbers for it are left out.
    expect((await t.post(`/projects/${p.id}/fields/`, { name: 'effort', type: 'text' }, sa)).status).toBe(201);
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('laneway', 'src.laneway.tar.gz', bytes));
    await runImport(t.runtime.deps.db, id, storage());
    const done = await status(id);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.created).toMatchObject({ tickets: 1, columns: 0, fields: 1 });
    expect(done.warnings.join('\n')).toMatch(/"effort" here is text, in the file number/);

    const after = await snapshot(p.id);
    const [imported] = expectAppended(before, after);
    expect(imported!.column_id).toBe(p.todo);
    const fields = new Map(after.fields.map((f) => [f.name, f]));
    expect(after.fields.map((f) => f.name)).toEqual(['Severity', 'effort', 'Reach']);
    // "minor" is the project's "Minor"; "Major" is added to the field.
    const options = fields.get('Severity')!.options as { id: number; label: string }[];
    expect(options.map((o) => o.label)).toEqual(['Minor', 'Major']);
    const [row] = await t.sql`select fields from tickets where id = ${imported!.id}`;
    expect(row!.fields).toEqual({
      [String(fields.get('Severity')!.id)]: options[1]!.id,
      [String(fields.get('Reach')!.id)]: 10,
    });
    // The exported project's own history (its creation, its columns) is not this project's.
    const verbs = await t.sql`select verb from activity where project_id = ${p.id} and ticket_id is null
      and id > (select max(id) from activity where project_id = ${p.id} and verb = 'project.created')
      order by id`;
    expect(verbs.map((r) => r.verb)).not.toContain('project.created');
    expect(verbs.map((r) => r.verb)).toContain('field.updated');
  });
});

describe('once, or not at all', () => {
  const helpers = { job: { id: '1', task_identifier: 'import_project', attempts: 1 } } as unknown as JobHelpers;

  it('a retried job (the task run twice, or twice at once) imports once', async () => {
    const p = await usedProject('ONCE');
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('csv', 'more.csv', CSV));
    const task = importProject(t.runtime.deps);
    await task({ import: id }, helpers);
    const first = await snapshot(p.id);
    expect(first.tickets.length - before.tickets.length).toBe(5);
    await task({ import: id }, helpers);
    expect(await snapshot(p.id)).toEqual(first);
    expect((await status(id)).status).toBe('done');

    // Two runs of a new import at the same moment: the import's lock lets one write.
    const twice = await queue(p.id, form('csv', 'more.csv', CSV));
    await Promise.all([task({ import: twice }, helpers), task({ import: twice }, helpers)]);
    const after = await snapshot(p.id);
    expect(after.tickets.length - first.tickets.length).toBe(5);
    expectAppended(first, after);
    expect((await status(twice)).status).toBe('done');
  });

  it('a crash before commit leaves the project as it was; the retry imports once', async () => {
    const p = await usedProject('CRASH');
    const before = await snapshot(p.id);
    const id = await queue(p.id, form('trello', 'board.json', await fixture('trello-board.json')));
    await expect(
      runImport(t.runtime.deps.db, id, storage(), { beforeCommit: () => Promise.reject(new Error('process killed')) }),
    ).rejects.toThrow('process killed');
    expect(await snapshot(p.id)).toEqual(before);
    expect((await status(id)).status).toBe('failed');
    await runImport(t.runtime.deps.db, id, storage());
    const after = await snapshot(p.id);
    expect(after.tickets.length - before.tickets.length).toBe(6);
    expectAppended(before, after);
  });

  it('a malformed file is refused before queueing, or fails its job, and the project stays as it was', async () => {
    const p = await usedProject('BAD');
    const before = await snapshot(p.id);
    const imports = async () => (await t.sql`select count(*)::int as n from imports`)[0]!.n as number;
    const queued = await imports();
    const short = await t.post(`/projects/${p.id}/import/`, form('csv', 'm.csv', await fixture('missing-column.csv')), {
      token: w.tokens.superuser,
    });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/line 3/);
    const board = JSON.parse((await fixture('trello-board.json')).toString('utf8'));
    board.cards[2].name = 42;
    const wrong = await t.post(`/projects/${p.id}/import/`, form('trello', 'b.json', JSON.stringify(board)), {
      token: w.tokens.superuser,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('$.cards[2].name');
    expect(await imports()).toBe(queued);

    // A file that went bad between the upload and the job.
    const id = await queue(p.id, form('csv', 'gone.csv', CSV));
    const [row] = await t.sql<[{ file_key: string }]>`select file_key from imports where id = ${id}`;
    await writeFile(`${storage().dir}/imports/${row.file_key}`, 'title,column\nOne,To Do\nTwo\n');
    await runImport(t.runtime.deps.db, id, storage());
    const failed = await status(id);
    expect(failed).toMatchObject({ status: 'failed', project: p.id });
    expect(failed.error).toMatch(/line 3/);
    expect(await snapshot(p.id)).toEqual(before);
    await expectBoardOnce(p.id);
  });
});

describe('who may import into a project', () => {
  it('the superuser only: 403 with the envelope for those who see the project, 404 for others, 401 signed out', async () => {
    const p = w.projectId;
    const before = await snapshot(p);
    const queued = (await t.sql`select count(*)::int as n from imports`)[0]!.n as number;
    const send = (token?: string, project = p) =>
      t.post(`/projects/${project}/import/`, form('csv', 'x.csv', CSV), token ? { token } : {});
    for (const actor of ['superadmin', 'admin', 'manager', 'user', 'companyAdmin', 'companyUser'] as const) {
      const res = await send(w.tokens[actor]);
      expect(res.status, actor).toBe(403);
      expect(res.body.error.code, actor).toBe('forbidden');
    }
    const outsider = await send(w.tokens.outsider);
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe('not_found');
    expect((await send()).status).toBe(401);
    // A project that does not exist, even to the superuser.
    const missing = await send(w.tokens.superuser, 2_000_000);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await t.sql`select count(*)::int as n from imports`)[0]!.n).toBe(queued);
    expect(await snapshot(p)).toEqual(before);
    // The project's superadmin still imports: into a new project.
    expect((await t.post('/projects/import/', form('csv', 'x.csv', CSV), { token: w.tokens.superadmin })).status).toBe(
      202,
    );
  });

  it('a superuser who lost the role before the job ran imports nothing', async () => {
    const p = await usedProject('DEMOTE');
    const before = await snapshot(p.id);
    const su = { token: w.tokens.superuser };
    const helper = await t.post(
      '/users/',
      { username: 'second', email: 'second@example.com', password: 'a long enough password' },
      su,
    );
    await t.sql`update users set is_superuser = true where id = ${helper.body.id as number}`;
    const login = await t.post('/auth/login/', { username: 'second', password: 'a long enough password' });
    const res = await t.post(`/projects/${p.id}/import/`, form('csv', 'x.csv', CSV), { token: login.body.access });
    expect(res.status).toBe(202);
    await t.sql`update users set is_superuser = false where id = ${helper.body.id as number}`;
    await runImport(t.runtime.deps.db, res.body.id, storage());
    expect((await status(res.body.id)).status).toBe('failed');
    expect(await snapshot(p.id)).toEqual(before);
  });
});

describe('live board', () => {
  it("the board's subscribers receive the new columns, tags and tickets; company people only their company's", async () => {
    const p = await usedProject('LIVE');
    const sa = { token: w.tokens.superadmin };
    const companyUser = await t.post(
      '/users/',
      { username: 'acme2', email: 'acme2@example.com', password: 'a long enough password' },
      {
        token: w.tokens.superuser,
      },
    );
    await t.sql`insert into company_users (company_id, user_id) values (${w.companyA}, ${companyUser.body.id as number})`;
    const clientLogin = await t.post('/auth/login/', { username: 'acme2', password: 'a long enough password' });
    expect(clientLogin.status).toBe(200);
    const served = await listenRealtime(t);
    try {
      const topic = `project:${p.id}`;
      const watcher = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${sa.token}` });
      const client = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${clientLogin.body.access}` });
      for (const c of [watcher, client]) {
        await c.next((m) => m.type === 'ready');
        c.send({ type: 'subscribe', topic });
        await c.next((m) => m.type === 'subscribed' && m.topic === topic);
      }
      const id = await queue(p.id, form('csv', 'more.csv', CSV));
      await withPublisher(t.runtime.deps.bus, () => runImport(t.runtime.deps.db, id, storage()));
      expect((await status(id)).status).toBe('done');

      const added =
        await t.sql`select id from tickets where project_id = ${p.id} and title like '% import' order by number`;
      const fifth = added.at(-1)!.id as number;
      await watcher.next((m) => m.type === 'ticket.created' && m.data.id === fifth);
      const events = watcher.messages.filter(
        (m) => m.topic === topic && typeof m.seq === 'number' && m.type !== 'subscribed',
      );
      // Seqs in order, with no gap; the column and the tag before the first card.
      expect(events.map((m) => m.seq)).toEqual(events.map((_, i) => events[0].seq + i));
      expect(events.map((m) => m.type)).toEqual([
        'column.created',
        'tag.created',
        ...added.map(() => 'ticket.created'),
      ]);
      expect(events.filter((m) => m.type === 'ticket.created').map((m) => m.data.id)).toEqual(added.map((r) => r.id));
      expect(events.find((m) => m.type === 'column.created').data.name).toBe('Blocked');
      const first = events.find((m) => m.type === 'ticket.created');
      expect(first.data).toMatchObject({
        title: 'First import',
        key: expect.stringMatching(/^LIVE-\d+$/),
        tags: [expect.any(Number), expect.any(Number)],
      });

      // Company A's person sees the board's columns and tags, and Acme's ticket only.
      await client.next((m) => m.type === 'ticket.created');
      // Whatever was published to it before the watcher's last event has reached it by its next pong.
      client.send({ type: 'ping' });
      await client.next((m) => m.type === 'pong');
      const theirs = client.messages.filter((m) => m.type === 'ticket.created').map((m) => m.data.title);
      expect(theirs).toEqual(['First import']);
      watcher.ws.close();
      client.ws.close();
    } finally {
      await served.close();
    }
  });
});
