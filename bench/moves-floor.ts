/**
 * The floor of bench:api's `moves` and `moves-20` rows (issue 20): the SQL a move needs at
 * minimum (`floorMove` in floor-move.ts: the read and the very write statement of the server),
 * issued by a bare client at the same concurrency, in its own process. Its projects copy the
 * demo project's reporters, assignees and members (bench/api.ts), so as many people are told.
 *
 * Run by bench/api.ts as `node bench/moves-floor.ts <database url> <project ids, comma-separated>
 * <actor id> <connections> <warm-up s> <duration s>`; it sends `{ moves, p50, p99, errors }` over
 * IPC and exits. It moves the tickets of its own projects (made by api.ts), a random idle one
 * each time, to the end of another column of its project, never two moves of one ticket at once.
 */
import { performance } from 'node:perf_hooks';
import { createDb } from '@laneway/db/client';
import { floorMove } from './floor-move.ts';

async function run(): Promise<void> {
  const [url, projectList, actorArg, connArg, warmArg, durArg] = process.argv.slice(2);
  const projectIds = projectList!.split(',').map(Number);
  const actorId = Number(actorArg);
  const connections = Number(connArg);
  // The server's pool size (server/src/deps.ts), prepared statements as postgres.js does by default.
  const { db, sql } = createDb(url!, { max: 20, applicationName: 'bench floor' });
  const columnsOf = new Map<number, number[]>();
  for (const c of await sql<{ id: number; project_id: number }[]>`
    select id, project_id from columns where project_id = any(${projectIds}) order by position`) {
    columnsOf.set(c.project_id, [...(columnsOf.get(c.project_id) ?? []), c.id]);
  }
  const tickets = await sql<{ id: number; column_id: number; project_id: number }[]>`
    select id, column_id, project_id from tickets where project_id = any(${projectIds}) order by id`;
  const where = new Map(tickets.map((t) => [t.id, t.column_id]));
  const projectOf = new Map(tickets.map((t) => [t.id, t.project_id]));
  const idle = tickets.map((t) => t.id);
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  let recording = false;

  const moveOne = async () => {
    const id = idle.splice(Math.floor(Math.random() * idle.length), 1)[0]!;
    const from = where.get(id)!;
    const projectId = projectOf.get(id)!;
    const others = columnsOf.get(projectId)!.filter((c) => c !== from);
    const to = others[Math.floor(Math.random() * others.length)]!;
    const started = performance.now();
    try {
      if (!(await floorMove(db, sql, { id, from, to, actorId }))) throw new Error('version raced');
      where.set(id, to);
      if (recording) latencies.push(performance.now() - started);
    } catch (error) {
      if (recording) errors++;
      firstError ||= String((error as Error).message);
    } finally {
      idle.push(id);
    }
  };

  let stop = false;
  const loop = async () => {
    while (!stop) await moveOne();
  };
  const workers = Array.from({ length: connections }, loop);
  await new Promise((r) => setTimeout(r, Number(warmArg) * 1000));
  recording = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, Number(durArg) * 1000));
  recording = false;
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  await sql.end();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  process.send?.({
    moves: latencies.length / seconds,
    total: latencies.length,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    firstError,
  });
}

await run();
