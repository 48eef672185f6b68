/**
 * `npm run bench:import`: imports and exports at size, each step in a process of its own
 * (bench/import-step.ts) so that its peak RSS is its own.
 *
 * 1. A generated Trello board of 10,000 cards (5 lists, 10 labels, a checklist on every fifth
 *    card, a comment on every second, 20 members) through the real `import_project` job body.
 * 2. A generated CSV of 100,000 rows (semicolons, quoted descriptions, day-first dates).
 *    Floor for both: a bare INSERT … SELECT of as many ticket rows, in one transaction.
 * 3. Export of the two projects so made (10,000 and 100,000 tickets): seconds, bytes of the
 *    .tar.gz, peak RSS, which must stay flat as the project grows. Floor: a bare cursor read
 *    of the same tickets as JSON text.
 *
 * Knobs: BENCH_IMPORT_CARDS (10000), BENCH_IMPORT_ROWS (100000), and the database knobs of bench/README.md.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchSql, fmt, markdownTable, numberFromEnv, runMain, startChild, withBenchRun } from './lib.ts';

const settings = {
  cards: numberFromEnv('BENCH_IMPORT_CARDS', 10_000, 1),
  rows: numberFromEnv('BENCH_IMPORT_ROWS', 100_000, 1),
};

interface StepResult {
  seconds: number;
  bytes: number;
  rows: number;
  startRssMb: number;
  maxRssMb: number;
}

/** A Trello board export of `cards` cards, shaped as Trello writes it. */
function trelloBoard(cards: number) {
  const hex = (n: number, width = 24) => n.toString(16).padStart(width, '0');
  const lists = ['Backlog', 'To do', 'Doing', 'Review', 'Done'].map((name, i) => ({
    id: hex(0x100 + i),
    name,
    closed: false,
    pos: (i + 1) * 16384,
  }));
  const labels = Array.from({ length: 10 }, (_, i) => ({ id: hex(0x200 + i), name: `Label ${i}`, color: 'green' }));
  const members = Array.from({ length: 20 }, (_, i) => ({
    id: hex(0x300 + i),
    username: `member${i}`,
    fullName: `Member ${i}`,
  }));
  const stamp = Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(16);
  const board = {
    id: hex(1),
    name: 'Bench board',
    desc: '',
    lists,
    labels,
    members,
    cards: [] as object[],
    checklists: [] as object[],
    actions: [] as object[],
  };
  for (let i = 0; i < cards; i++) {
    const id = stamp + hex(i, 16);
    board.cards.push({
      id,
      idShort: i + 1,
      name: `Card ${i + 1}: something to do`,
      desc: `A description of card ${i + 1}, with **Markdown** and a [link](https://example.com/${i}).`,
      idList: lists[i % lists.length]!.id,
      closed: i % 50 === 0,
      pos: i * 1024,
      due: i % 3 === 0 ? '2026-06-30T12:00:00.000Z' : null,
      idLabels: [labels[i % 10]!.id, labels[(i * 7) % 10]!.id],
      idMembers: [members[i % 20]!.id],
      dateLastActivity: '2026-02-01T10:00:00.000Z',
      attachments: [],
    });
    if (i % 5 === 0) {
      board.checklists.push({
        id: `${id}c`,
        idCard: id,
        name: 'Checklist',
        pos: 1,
        checkItems: [1, 2, 3].map((k) => ({ name: `Step ${k}`, state: k === 1 ? 'complete' : 'incomplete', pos: k })),
      });
    }
    if (i % 2 === 0) {
      board.actions.push({
        id: `${id}a`,
        type: 'commentCard',
        date: '2026-02-01T10:00:00.000Z',
        idMemberCreator: members[i % 20]!.id,
        data: { text: `A comment on card ${i + 1}`, card: { id } },
        memberCreator: members[i % 20],
      });
    }
  }
  return board;
}

/** A spreadsheet's CSV of `rows` rows: semicolons, quoted multi-line descriptions, day-first dates. */
function csvText(rows: number): string {
  const lines = ['Title;Description;Status;Tags;Priority;Due'];
  const statuses = ['To do', 'Doing', 'Review', 'Done'];
  const priorities = ['Low', 'Medium', 'High', 'Urgent'];
  for (let i = 0; i < rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(
      `Row ${i + 1};"First line of row ${i + 1}\nsecond line; with ""quotes""";${statuses[i % 4]};tag${i % 12},tag${(i * 5) % 12};${priorities[i % 4]};${day}/05/2026`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function runStep(url: string, step: string, arg: number, uploadDir: string): Promise<StepResult> {
  const child = startChild(step, ['bench/import-step.ts', url, step, String(arg), uploadDir], { ...process.env });
  return once(child.process, 'exit').then(([code]) => {
    const last = child.output().trim().split('\n').at(-1) ?? '';
    if (code !== 0) throw new Error(`${step} failed (${String(code)}):\n${child.output()}`);
    return JSON.parse(last) as StepResult;
  });
}

async function main() {
  await withBenchRun({ tickets: 10 }, async ({ log, database, elapsed }) => {
    const sql = await benchSql(database.url);
    const uploadDir = await mkdtemp(path.join(os.tmpdir(), 'laneway-bench-import-'));
    const lines: string[][] = [];
    try {
      await mkdir(path.join(uploadDir, 'imports'), { recursive: true });
      const [superuser] = await sql<{ id: number }[]>`select id from users where is_superuser order by id limit 1`;
      if (!superuser) throw new Error('the demo seed made no superuser');
      const queue = async (source: 'trello' | 'csv', key: string, content: string, mapping: object) => {
        await writeFile(path.join(uploadDir, 'imports', key), content);
        const [row] = await sql<{ id: number }[]>`
          insert into imports (source, created_by, file_key, filename, mapping)
          values (${source}, ${superuser.id}, ${key}, ${key}, ${JSON.stringify(mapping)}::jsonb) returning id`;
        return { id: row!.id, bytes: (await stat(path.join(uploadDir, 'imports', key))).size };
      };
      const projectOf = async (importId: number) =>
        (await sql<{ project_id: number }[]>`select project_id from imports where id = ${importId}`)[0]!.project_id;

      log(`generating a Trello board of ${fmt(settings.cards)} cards and a CSV of ${fmt(settings.rows)} rows`);
      const trello = await queue('trello', 'bench-trello.json', JSON.stringify(trelloBoard(settings.cards)), {});
      const csv = await queue('csv', 'bench.csv', csvText(settings.rows), {
        title: 'Title',
        description: 'Description',
        column: 'Status',
        tags: 'Tags',
        priority: 'Priority',
        due_date: 'Due',
      });

      const add = (what: string, size: string, r: StepResult, floor: StepResult | null, bytes?: number) =>
        lines.push([
          what,
          size,
          fmt(r.seconds, 2),
          fmt(r.rows / r.seconds),
          bytes === undefined ? '—' : `${fmt(bytes / 1024 / 1024, 1)} MB`,
          `${fmt(r.maxRssMb)} (+${fmt(r.maxRssMb - r.startRssMb)})`,
          floor ? fmt(floor.seconds, 2) : '—',
          floor ? `${fmt(r.seconds / floor.seconds, 1)}×` : '—',
        ]);

      log('Trello import');
      const t = await runStep(database.url, 'import', trello.id, uploadDir);
      const trelloProject = await projectOf(trello.id);
      const tFloor = await runStep(database.url, 'insert-floor', trelloProject, uploadDir);
      add('import Trello board', `${fmt(settings.cards)} cards, ${fmt(trello.bytes / 1024 / 1024, 1)} MB`, t, tFloor);

      log('CSV import');
      const c = await runStep(database.url, 'import', csv.id, uploadDir);
      const csvProject = await projectOf(csv.id);
      const cFloor = await runStep(database.url, 'insert-floor', csvProject, uploadDir);
      add('import CSV', `${fmt(settings.rows)} rows, ${fmt(csv.bytes / 1024 / 1024, 1)} MB`, c, cFloor);

      for (const [project, size] of [
        [trelloProject, settings.cards],
        [csvProject, settings.rows],
      ] as const) {
        log(`export of ${fmt(size)} tickets`);
        const e = await runStep(database.url, 'export', project, uploadDir);
        const f = await runStep(database.url, 'cursor-floor', project, uploadDir);
        add('export .tar.gz', `${fmt(size)} tickets`, e, f, e.bytes);
      }
    } finally {
      await sql.end({ timeout: 5 });
      await rm(uploadDir, { recursive: true, force: true });
    }
    console.log(`# bench:import (${database.label}, ${os.cpus().length} cores, ${fmt(elapsed())} s)\n`);
    console.log(
      markdownTable(
        ['step', 'size', 'seconds', 'tickets/s', 'output', 'peak RSS MB (+ over start)', 'floor s', 'vs floor'],
        lines,
      ),
    );
    console.log(
      '\nFloors: a bare INSERT … SELECT of as many ticket rows (import), a bare cursor read of the tickets as JSON (export).' +
        '\nEach step runs in its own process; (+n) is its peak RSS over the RSS it had before the step began (Node and the loaded modules).',
    );
  });
}

runMain(main);
