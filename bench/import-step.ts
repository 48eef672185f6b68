/**
 * One measured step of `npm run bench:import`, in a process of its own so that its peak RSS is
 * its own: prints one JSON line `{seconds, bytes, rows, maxRssMb}` on stdout.
 *
 * node bench/import-step.ts <database-url> <step> <arg>
 *   import <import id>        the real `import_project` job body (runImport) for that import row
 *   insert-floor <project id> a bare INSERT … SELECT of as many ticket rows as the project has, rolled back
 *   export <project id>       the real export (project.json from cursors + tar + gzip) into a counting sink
 *   cursor-floor <project id> a bare cursor read of the project's tickets as JSON text, counted
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDb } from '@laneway/db/client';
import { runImport } from '../server/src/services/imports.ts';
import { exportProject } from '../server/src/services/project-export.ts';

const [url, step, arg, uploadDir] = process.argv.slice(2);
if (!url || !step || !arg || !uploadDir) throw new Error('usage: import-step.ts <url> <step> <arg> <upload dir>');
const id = Number(arg);
const { db, sql } = createDb(url, { max: 4, applicationName: 'laneway-bench-step' });

// What the process holds before the step (Node, the server's modules, the pool): the step's own share is peak minus this.
const startRssMb = process.memoryUsage().rss / 1024 / 1024;
const started = performance.now();
let bytes = 0;
let rows = 0;
const counter = () =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });

if (step === 'import') {
  await runImport(db, id, { dir: uploadDir });
  const [row] = await sql<{ status: string; error: string | null; n: number }[]>`
    select i.status, i.error, (select count(*)::int from tickets t where t.project_id = i.project_id) as n
    from imports i where i.id = ${id}`;
  if (row?.status !== 'done') throw new Error(`import ${id} ended ${row?.status}: ${row?.error}`);
  rows = row.n;
} else if (step === 'insert-floor') {
  await sql
    .begin(async (tx) => {
      const [column] = await tx<
        { id: number }[]
      >`select id from columns where project_id = ${id} order by position limit 1`;
      const [count] = await tx<{ n: number }[]>`select count(*)::int as n from tickets where project_id = ${id}`;
      rows = count!.n;
      // The same rows' shape as the importer writes (title, description, position, dates), nothing else.
      await tx`insert into tickets (project_id, number, title, description, column_id, position, status, created_at, updated_at)
        select ${id}, 1000000 + g, 'Floor ticket ' || g, repeat('x', 120), ${column!.id}, 'z' || lpad(g::text, 8, '0'),
          'todo', now(), now()
        from generate_series(1, ${rows}) g`;
      throw new Error('rollback');
    })
    .catch((error: unknown) => {
      if (!(error instanceof Error) || error.message !== 'rollback') throw error;
    });
} else if (step === 'export') {
  const [superuser] = await sql<{ id: number; username: string }[]>`
    select id, username from users where is_superuser order by id limit 1`;
  const archive = await exportProject(
    db,
    sql,
    { id: superuser!.id, username: superuser!.username, isSuperuser: true },
    id,
    {
      dir: uploadDir,
    },
  );
  await pipeline(archive.stream, counter());
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from tickets where project_id = ${id}`;
  rows = count!.n;
} else if (step === 'cursor-floor') {
  await sql`select json_build_object('id', id, 'title', title, 'description', description, 'position', position,
      'column', column_id, 'created_at', created_at)::text as j
    from tickets where project_id = ${id} order by id`.cursor(500, (batch) => {
    for (const row of batch) bytes += Buffer.byteLength(row.j as string);
    rows += batch.length;
  });
} else {
  throw new Error(`unknown step ${step}`);
}
const seconds = (performance.now() - started) / 1000;
await sql.end({ timeout: 5 });
console.log(JSON.stringify({ seconds, bytes, rows, startRssMb, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
