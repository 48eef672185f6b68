import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { pngUpload } from '../../../../test/permission-matrix.ts';
import { buildWorld, type World } from '../../../../test/world.ts';
import { startWorker } from '../../../../workers/src/worker.ts';
import { parseSheetDate } from '../../services/import-sources.ts';
import { runImport } from '../../services/imports.ts';

const FIXTURES = new URL('../../../../test/fixtures/imports/', import.meta.url);
const iso = (v: unknown) => new Date(v as string).toISOString();
const fixture = (name: string) => readFile(new URL(name, FIXTURES));

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp({ WORKER_MODE: 'off' });
  w = await buildWorld(t);
  const su = { token: w.tokens.superuser };
  // Trello's members and the CSV's people, as users of this instance.
  for (const [username, email] of [
    ['alice', 'alice@example.com'],
    ['bob', 'bob@example.com'],
  ]) {
    const res = await t.post('/users/', { username, email, password: 'a long enough password' }, su);
    expect(res.status).toBe(201);
  }
  await t.post('/companies/', { name: 'Acme' }, su);
});
afterAll(() => t.close());

function form(source: string, name: string, bytes: Uint8Array<ArrayBuffer>, mapping?: object): FormData {
  const f = new FormData();
  f.append('source', source);
  if (mapping) f.append('mapping', JSON.stringify(mapping));
  f.append('file', new Blob([bytes]), name);
  return f;
}

/** Uploads, runs the queued import as the job would, and answers the finished import. */
async function importFile(token: string, data: FormData) {
  const res = await t.post('/projects/import/', data, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await runImport(t.runtime.deps.db, res.body.id, { dir: t.runtime.deps.config.uploadDir });
  const status = await t.get(`/imports/${res.body.id}/`, { token });
  expect(status.status).toBe(200);
  expect(status.body.status, JSON.stringify(status.body)).toBe('done');
  return status.body as { id: number; project: number; created: Record<string, number>; warnings: string[] };
}

async function exportBytes(projectId: number, token: string) {
  const res = await t.app.request(`http://laneway.test/api/tickets/projects/${projectId}/export/`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** The entries of a tar (ustar) archive: name → bytes. */
function untar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length;) {
    const name = tar
      .subarray(at, at + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    if (!name) break;
    const size = Number.parseInt(
      tar
        .subarray(at + 124, at + 136)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim(),
      8,
    );
    out.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** A project as rows without ids: everything an import must carry over, ids replaced by what they name. */
async function snapshot(projectId: number) {
  const s = t.sql;
  const [project] =
    await s`select name, description, archive_after_hours, ticket_seq from projects where id = ${projectId}`;
  const columns =
    await s`select name, category, wip_limit, position from columns where project_id = ${projectId} order by position`;
  const tags = await s`select name, colour from tags where project_id = ${projectId} order by lower(name)`;
  const fields = await s`select name, type, required, show_on_card, position,
      (select json_agg(o->'label') from jsonb_array_elements(options) o) as labels
    from custom_fields where project_id = ${projectId} order by position`;
  const tickets = await s`
    select t.number, t.title, t.description, c.name as column, t.position, t.priority_id, t.company_id,
      t.reporter_id, t.due_at, t.status, t.done_at, t.is_archived, t.archived_at, t.source, t.created_at,
      t.updated_at,
      (select jsonb_object_agg(f.name, case when f.type = 'select' then
          (select o->'label' from jsonb_array_elements(f.options) o where (o->>'id')::int = (t.fields->>(f.id::text))::int)
          else t.fields->(f.id::text) end)
        from custom_fields f where f.project_id = t.project_id and t.fields ? f.id::text) as fields,
      array(select user_id from ticket_assignees a where a.ticket_id = t.id order by user_id) as assignees,
      array(select g.name from ticket_tags tt join tags g on g.id = tt.tag_id where tt.ticket_id = t.id order by g.name) as tags,
      array(select json_build_object('text', i.text, 'done', i.done, 'position', i.position)::text
        from checklist_items i where i.ticket_id = t.id order by i.position) as checklist
    from tickets t join columns c on c.id = t.column_id where t.project_id = ${projectId} order by t.number`;
  const comments = await s`
    select t.number, c.author_id, c.body, c.internal, c.created_at, c.edited_at, c.deleted_at,
      (select p.body from comments p where p.id = c.parent_id) as parent_body
    from comments c join tickets t on t.id = c.ticket_id where t.project_id = ${projectId} order by c.created_at, c.body`;
  const relations = await s`
    select f.number as from, o.number as to, r.kind from ticket_relations r
    join tickets f on f.id = r.from_ticket_id join tickets o on o.id = r.to_ticket_id
    where f.project_id = ${projectId} order by 1, 2`;
  const chat = await s`
    select t.number, m.author_id, m.body, m.created_at from chat_messages m
    join chat_rooms r on r.id = m.room_id left join tickets t on t.id = r.ticket_id
    where r.project_id = ${projectId} order by m.created_at, m.body`;
  const files = await s`
    select t.number, a.filename, a.content_type, a.size, a.sha256, a.uploader_id from attachments a
    join tickets t on t.id = a.ticket_id where t.project_id = ${projectId} order by a.filename`;
  const members = await s`select user_id, role from user_roles where project_id = ${projectId} order by user_id`;
  const companies = await s`select company_id from project_companies where project_id = ${projectId} order by 1`;
  const activity = await s`select t.number, a.actor_id, a.verb, a.data, a.created_at from activity a
    left join tickets t on t.id = a.ticket_id where a.project_id = ${projectId} order by a.id`;
  return { project, columns, tags, fields, tickets, comments, relations, chat, files, members, companies, activity };
}

describe('export', () => {
  it('streams project.json and the attachments as a .tar.gz, and the import of it is the same project', async () => {
    const sa = { token: w.tokens.superadmin };
    const p = w.projectId;
    // Some of everything: a custom field, a checklist, a threaded comment, a relation, chat, a file.
    const field = await t.post(
      `/projects/${p}/fields/`,
      { name: 'Severity', type: 'select', options: [{ label: 'Minor' }, { label: 'Major' }] },
      sa,
    );
    expect(field.status).toBe(201);
    const major = field.body.options[1].id as number;
    expect((await t.patch(`/tickets/${w.userTicket}/`, { fields: { [field.body.id]: major } }, sa)).status).toBe(200);
    expect((await t.post(`/tickets/${w.userTicket}/checklist/`, { text: 'Step one' }, sa)).status).toBe(201);
    const root = await t.post(`/tickets/${w.userTicket}/comments/`, { body: 'Root comment' }, sa);
    expect(
      (
        await t.post(
          `/tickets/${w.userTicket}/comments/`,
          { body: 'A reply', parent: root.body.id },
          { token: w.tokens.user },
        )
      ).status,
    ).toBe(201);
    expect(
      (await t.post(`/tickets/${w.userTicket}/relations/`, { kind: 'blocks', ticket: w.otherTicket }, sa)).status,
    ).toBe(201);
    const upload = await t.post(`/tickets/${w.userTicket}/attachments/`, pngUpload('shot.png'), sa);
    expect(upload.status).toBe(201);
    const [room] = await t.sql<[{ id: number }]>`
      insert into chat_rooms (project_id, ticket_id, name) values (${p}, ${w.userTicket}, 'room') returning id`;
    await t.sql`insert into chat_messages (room_id, author_id, body) values (${room.id}, ${w.ids.user}, 'Hello from chat')`;

    const res = await exportBytes(p, w.tokens.superadmin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".+\.laneway\.tar\.gz"/);
    const entries = untar(gunzipSync(res.bytes));
    const doc = JSON.parse(entries.get('project.json')!.toString('utf8'));
    expect(doc.format).toBe('laneway-export');
    expect(doc.version).toBe(1);
    expect(doc.tickets).toHaveLength(4);
    expect(doc.comments.map((c: { body: string }) => c.body)).toEqual(['Root comment', 'A reply']);
    expect(doc.attachments).toHaveLength(1);
    expect(entries.get(doc.attachments[0].file)!.length).toBe(upload.body.size);

    // Import of the archive: the superadmin becomes its superadmin again; everything else equal.
    const done = await importFile(w.tokens.superadmin, form('laneway', 'export.tar.gz', res.bytes));
    expect(done.created.tickets).toBe(4);
    const before = await snapshot(p);
    const after = await snapshot(done.project);
    const [newKey] = await t.sql`select key from projects where id = ${done.project}`;
    expect(newKey!.key).not.toBe('OPS');
    // The import's own 'project.created' line comes last in its history.
    expect(after.activity.at(-1)!.verb).toBe('project.created');
    expect({ ...after, activity: after.activity.slice(0, -1) }).toEqual(before);
  });

  it('is for project superadmins: 403 for a member who sees the board, 404 for an outsider', async () => {
    expect((await exportBytes(w.projectId, w.tokens.admin)).status).toBe(403);
    expect((await exportBytes(w.projectId, w.tokens.outsider)).status).toBe(404);
    expect((await exportBytes(w.projectId, w.tokens.superuser)).status).toBe(200);
  });
});

describe('Trello', () => {
  it('imports lists, cards, labels, checklists, due dates, comments, archived cards and members', async () => {
    const done = await importFile(w.tokens.admin, form('trello', 'board.json', await fixture('trello-board.json')));
    expect(done.created).toMatchObject({ columns: 4, tags: 4, tickets: 6, comments: 3, checklist_items: 5 });
    expect(done.warnings.join('\n')).toMatch(/Gus Gone @gonegus/);
    const s = await snapshot(done.project);
    expect(s.project!.name).toBe('Website Relaunch');
    expect(s.columns.map((c) => [c.name, c.category])).toEqual([
      ['Backlog', 'todo'],
      ['Doing', 'in_progress'],
      ['Done ✔', 'done'],
      ['Old ideas', 'todo'],
    ]);
    expect(s.tags.map((g) => g.name)).toEqual(['blue', 'Bug', 'Content', 'Frontend']);
    const [alice] = await t.sql`select id from users where username = 'alice'`;
    const [bob] = await t.sql`select id from users where username = 'bob'`;
    const home = s.tickets.find((x) => x.title === 'Design the home page')!;
    expect(home.column).toBe('Doing');
    expect(iso(home.due_at)).toBe('2026-03-31T15:00:00.000Z');
    expect(home.assignees).toEqual([alice!.id]);
    expect(home.tags).toEqual(['Content', 'Frontend']);
    expect(
      home.checklist.map((i: string) => JSON.parse(i)).map((i: { text: string; done: boolean }) => [i.text, i.done]),
    ).toEqual([
      ['Sketch', true],
      ['Review with marketing', false],
      ['Hand over to dev', false],
    ]);
    expect(home.description).toContain('home-wireframe.png');
    const about = s.tickets.find((x) => x.title === 'Write the About page copy')!;
    expect(about.checklist.map((i: string) => JSON.parse(i).text)).toEqual(['Draft: First version', 'Review: Legal']);
    expect(s.tickets.find((x) => x.title === 'Old carousel idea')!.is_archived).toBe(true);
    expect(s.tickets.find((x) => x.title === 'Dark mode')!.is_archived).toBe(true);
    expect(s.tickets.find((x) => x.title === 'Set up analytics')!.status).toBe('done');
    // Backlog keeps Trello's order: pos 8192 before 16384.
    const backlog = s.tickets.filter((x) => x.column === 'Backlog').sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(backlog.map((x) => x.title)).toEqual([
      'Fix broken contact form',
      'Write the About page copy',
      'Old carousel idea',
    ]);
    expect(s.comments.map((c) => [c.number, c.author_id, c.body, iso(c.created_at)])).toEqual([
      [1, alice!.id, 'First draft attached.', '2026-02-01T10:05:00.000Z'],
      [1, bob!.id, 'Looks great, ship it once marketing agrees.', '2026-02-10T09:30:00.000Z'],
      [2, null, 'Reproduced on Firefox too.', '2026-02-11T12:00:00.000Z'],
    ]);
    expect(s.members).toContainEqual({ user_id: w.ids.admin, role: 'superadmin' });
  });

  it('previews the board: its lists with the guessed kinds, and what it holds', async () => {
    const res = await t.post('/imports/preview/', form('trello', 'board.json', await fixture('trello-board.json')), {
      token: w.tokens.admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.trello).toMatchObject({
      name: 'Website Relaunch',
      cards: 6,
      labels: 4,
      checklists: 3,
      comments: 3,
    });
    expect(res.body.trello.lists.map((l: { name: string; category: string }) => [l.name, l.category])).toEqual([
      ['Backlog', 'todo'],
      ['Doing', 'in_progress'],
      ['Done ✔', 'done'],
      ['Old ideas', 'todo'],
    ]);
  });

  it('takes the categories chosen at the mapping step', async () => {
    const done = await importFile(
      w.tokens.admin,
      form('trello', 'board.json', await fixture('trello-board.json'), {
        columns: { '65a1f0c2e4b0a1b2c3d4e704': 'done' },
        name: 'Relaunch, mapped',
      }),
    );
    const s = await snapshot(done.project);
    expect(s.project!.name).toBe('Relaunch, mapped');
    expect(s.columns.find((c) => c.name === 'Old ideas')!.category).toBe('done');
  });
});

describe('CSV', () => {
  it('reads a BOM, semicolons, quotes, newlines in cells and Excel dates', async () => {
    const done = await importFile(
      w.tokens.superadmin,
      form('csv', 'Support queue.csv', await fixture('tickets-excel.csv'), {
        title: 'Summary',
        description: 'Details',
        column: 'Status',
        tags: 'Labels',
        priority: 'Prio',
        assignees: 'Owner',
        due_date: 'Due',
        company: 'Client',
      }),
    );
    expect(done.created.tickets).toBe(4);
    expect(done.warnings.join('\n')).toMatch(/nobody/);
    expect(done.warnings.join('\n')).toMatch(/Nowhere Ltd/);
    const s = await snapshot(done.project);
    expect(s.project!.name).toBe('Support queue');
    expect(s.columns.map((c) => [c.name, c.category])).toEqual([
      ['To Do', 'todo'],
      ['In Progress', 'in_progress'],
      ['Done', 'done'],
    ]);
    const [acme] = await t.sql`select id from companies where name = 'Acme'`;
    const [alice] = await t.sql`select id from users where username = 'alice'`;
    const [bob] = await t.sql`select id from users where username = 'bob'`;
    const [jam, reset, report, toner] = s.tickets;
    expect(jam!.title).toBe('Printer jams');
    expect(jam!.description).toBe('Paper tray 2 jams\r\nafter "50" pages');
    expect(jam!.tags).toEqual(['hardware', 'urgent-ish']);
    expect(jam!.priority_id).toBe(3);
    expect(jam!.assignees).toEqual([alice!.id]);
    expect(iso(jam!.due_at)).toBe('2026-03-31T00:00:00.000Z');
    expect(jam!.company_id).toBe(acme!.id);
    expect(reset!.assignees).toEqual([bob!.id]);
    expect(reset!.priority_id).toBe(1);
    expect(iso(reset!.due_at)).toBe('2026-04-01T00:00:00.000Z');
    expect(report!.title).toBe('Quarterly report; draft');
    expect(iso(report!.due_at)).toBe('2026-03-31T00:00:00.000Z');
    expect(report!.status).toBe('done');
    expect(report!.company_id).toBeNull();
    expect(toner!.assignees).toEqual([alice!.id]);
  });

  it('takes a file larger than the JSON body limit (1 MB), up to its own limit', async () => {
    const rows = ['title,column'];
    for (let i = 1; i <= 60_000; i++) rows.push(`Imported ticket number ${i} from the old tracker,Backlog`);
    const bytes = new TextEncoder().encode(rows.join('\n'));
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    const preview = await t.post('/imports/preview/', form('csv', 'big.csv', bytes), { token: w.tokens.user });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.csv.headers).toEqual(['title', 'column']);
    const queued = await t.post('/projects/import/', form('csv', 'big.csv', bytes), { token: w.tokens.user });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
  });

  it('guesses the mapping from the headers, and previews the first rows', async () => {
    const preview = await t.post('/imports/preview/', form('csv', 'hr.csv', await fixture('tickets-comma.csv')), {
      token: w.tokens.user,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.csv.headers).toEqual([
      'title',
      'description',
      'column',
      'tags',
      'priority',
      'assignees',
      'due date',
    ]);
    expect(preview.body.csv.mapping).toMatchObject({ title: 'title', due_date: 'due date', column: 'column' });
    expect(preview.body.csv.rows[0][1]).toBe('Laptop, badge and accounts\n- laptop ordered\n- badge printed');
    const done = await importFile(w.tokens.user, form('csv', 'hr.csv', await fixture('tickets-comma.csv')));
    const s = await snapshot(done.project);
    expect(s.tickets.map((x) => [x.title, x.column, iso(x.due_at)])).toEqual([
      ['Onboard new hire', 'Backlog', '2026-05-04T00:00:00.000Z'],
      ['Renew domain', 'Doing', '2026-05-04T09:30:00.000Z'],
    ]);
  });

  it('reads spreadsheet dates', () => {
    expect(parseSheetDate('31/03/2026')).toBe('2026-03-31T00:00:00.000Z');
    expect(parseSheetDate('03/31/2026', 'mdy')).toBe('2026-03-31T00:00:00.000Z');
    expect(parseSheetDate('31.03.2026 14:05')).toBe('2026-03-31T14:05:00.000Z');
    expect(parseSheetDate('46112')).toBe('2026-03-31T00:00:00.000Z');
    expect(parseSheetDate('46112.5')).toBe('2026-03-31T12:00:00.000Z');
    expect(parseSheetDate('')).toBeNull();
    expect(parseSheetDate('31/02/2026')).toBeUndefined();
    expect(parseSheetDate('soon')).toBeUndefined();
  });
});

describe('bad files', () => {
  const projectCount = async () => (await t.sql<[{ n: number }]>`select count(*)::int as n from projects`)[0].n;
  const importCount = async () => (await t.sql<[{ n: number }]>`select count(*)::int as n from imports`)[0].n;

  it('refuses a JSON cut in the middle with its position, a wrong shape with its path, a short CSV row with its line', async () => {
    const projects = await projectCount();
    const imports = await importCount();
    const board = await fixture('trello-board.json');
    const cut = await t.post('/projects/import/', form('trello', 'b.json', board.subarray(0, 2000)), {
      token: w.tokens.admin,
    });
    expect(cut.status).toBe(400);
    expect(cut.body.error.message).toMatch(/position \d+ \(line \d+\)/);
    const shape = JSON.parse(board.toString('utf8'));
    shape.cards[2].name = 42;
    const wrong = await t.post('/projects/import/', form('trello', 'b.json', Buffer.from(JSON.stringify(shape))), {
      token: w.tokens.admin,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('$.cards[2].name');
    const csv = await t.post('/projects/import/', form('csv', 'm.csv', await fixture('missing-column.csv')), {
      token: w.tokens.admin,
    });
    expect(csv.status).toBe(400);
    expect(csv.body.error.message).toMatch(/line 3/);
    const unmapped = await t.post(
      '/projects/import/',
      form('csv', 'c.csv', await fixture('tickets-comma.csv'), { title: 'Nope' }),
      { token: w.tokens.admin },
    );
    expect(unmapped.status).toBe(400);
    expect(unmapped.body.error.message).toContain('"Nope"');
    const junk = await t.post('/projects/import/', form('laneway', 'x.tar.gz', Buffer.from('not an archive')), {
      token: w.tokens.admin,
    });
    expect(junk.status).toBe(400);
    expect(await projectCount()).toBe(projects);
    expect(await importCount()).toBe(imports);
  });

  it('is refused to company people, and an import is seen only by whoever started it', async () => {
    const f = form('csv', 'c.csv', await fixture('tickets-comma.csv'));
    expect((await t.post('/projects/import/', f, { token: w.tokens.companyUser })).status).toBe(403);
    const res = await t.post('/projects/import/', form('csv', 'c.csv', await fixture('tickets-comma.csv')), {
      token: w.tokens.user,
    });
    expect(res.status).toBe(202);
    expect((await t.get(`/imports/${res.body.id}/`, { token: w.tokens.admin })).status).toBe(404);
    expect((await t.get(`/imports/${res.body.id}/`, { token: w.tokens.superuser })).status).toBe(200);
  });
});

describe('jobs', () => {
  it('an import whose file cannot be read at run time fails, says why, and leaves no project', async () => {
    const res = await t.post('/projects/import/', form('csv', 'gone.csv', await fixture('tickets-comma.csv')), {
      token: w.tokens.admin,
    });
    expect(res.status).toBe(202);
    const before = (await t.sql<[{ n: number }]>`select count(*)::int as n from projects`)[0].n;
    // The stored upload turns into a CSV whose second row lost a cell.
    const [row] = await t.sql<[{ file_key: string }]>`select file_key from imports where id = ${res.body.id as number}`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${t.runtime.deps.config.uploadDir}/imports/${row.file_key}`, 'title,column\nOne,To Do\nTwo\n');
    await runImport(t.runtime.deps.db, res.body.id, { dir: t.runtime.deps.config.uploadDir });
    const status = await t.get(`/imports/${res.body.id}/`, { token: w.tokens.admin });
    expect(status.body).toMatchObject({ status: 'failed', project: null });
    expect(status.body.error).toMatch(/line 3/);
    expect((await t.sql<[{ n: number }]>`select count(*)::int as n from projects`)[0].n).toBe(before);
  });

  it('a crash before commit leaves nothing, the retry creates the project once, a third run does nothing', async () => {
    const res = await t.post('/projects/import/', form('trello', 'board.json', await fixture('trello-board.json')), {
      token: w.tokens.admin,
    });
    expect(res.status).toBe(202);
    const id = res.body.id as number;
    const count = async () =>
      (await t.sql<[{ n: number }]>`select count(*)::int as n from projects where name = 'Website Relaunch'`)[0].n;
    const before = await count();
    const storage = { dir: t.runtime.deps.config.uploadDir };
    await expect(
      runImport(t.runtime.deps.db, id, storage, {
        beforeCommit: () => Promise.reject(new Error('process killed')),
      }),
    ).rejects.toThrow('process killed');
    expect(await count()).toBe(before);
    // The queued job, run by a real worker: it finds no project yet and makes it.
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      for (let i = 0; i < 300; i++) {
        const [row] = await t.sql`select status from imports where id = ${id}`;
        if (row!.status === 'done') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker.stop();
    }
    expect(await count()).toBe(before + 1);
    await runImport(t.runtime.deps.db, id, storage);
    expect(await count()).toBe(before + 1);
  });
});
