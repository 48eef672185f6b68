/**
 * The floor of bench:api's `moves` row (issue 20): the SQL a move needs at minimum, issued by a
 * bare postgres.js client at the same concurrency, in its own process. Per move, two round
 * trips, as the design needs: one statement reads the ticket, the mover's role in its project,
 * the target column, the key at its end and the ticket's assignees (what `readForMove` reads),
 * and one statement writes the ticket row, its activity row, the topic's seq and its event,
 * and for a move into done the notifications of its reporter and assignees (the very statement
 * of `writeMoves`, `moveStatement`, run as the server runs it: drizzle's prepared query on
 * postgres.js). No HTTP, no session, no JSON parsing of requests. Its project copies the demo
 * project's reporters, assignees and members (bench/api.ts), so as many people are told.
 *
 * Run by bench/api.ts as `node bench/moves-floor.ts <database url> <project ids, comma-separated>
 * <actor id> <connections> <warm-up s> <duration s>`; it sends `{ moves, p50, p99, errors }` over
 * IPC and exits. It moves the tickets of its own projects (made by api.ts), a random idle one
 * each time, to the end of another column of its project, never two moves of one ticket at once.
 */
import { performance } from 'node:perf_hooks';
import { createDb } from '@laneway/db/client';
import { executePrepared } from '@laneway/db/prepared';
import type { ColumnCategory } from '@laneway/db/schema';
import { keyBetween } from '../server/src/services/ordering.ts';
import { moveStatement, type MoveRow } from '../server/src/services/ticket-moves.ts';

interface TicketRow {
  id: number;
  column_id: number;
  [key: string]: unknown;
}

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
      const [row] = await sql<
        (TicketRow & { category: ColumnCategory; edge: string | null; role: string | null; assignees: number[] })[]
      >`
        select t.*, c.category, r.role, p.key as project_key,
          (select max(o.position) from tickets o where o.column_id = c.id and o.id <> t.id) as edge,
          array(select a.user_id from ticket_assignees a where a.ticket_id = t.id order by a.user_id) as assignees
        from tickets t
        join projects p on p.id = t.project_id
        left join columns c on c.id = ${to} and c.project_id = t.project_id
        left join user_roles r on r.project_id = t.project_id and r.user_id = ${actorId}
        where t.id = ${id}`;
      if (!row) throw new Error(`ticket ${id} not found`);
      const position = keyBetween({ lower: row.edge, upper: null });
      const now = new Date();
      const { category, edge: _edge, role: _role, ...ticket } = row;
      const payload = { ...ticket, column_id: to, position, status: category, version: Number(row.version) + 1 };
      // Entering done tells the ticket's reporter and assignees, as a move on the board does.
      const notice =
        category === 'done' && row.status !== 'done'
          ? {
              people: [...row.assignees, ...(row.reporter_id === null ? [] : [Number(row.reporter_id)])],
              notice: {
                column: to,
                ticket_key: `${row.project_key}-${row.number}`,
                title: row.title,
                project: projectId,
              },
            }
          : null;
      const item: MoveRow = {
        i: 0,
        id,
        version: Number(row.version),
        column_id: to,
        position,
        status: category,
        done_at: category === 'done' ? now.toISOString() : null,
        data: { from_column: from, to_column: to, position },
        payload: payload as unknown as MoveRow['payload'],
        people: notice?.people ?? [],
        notice: notice?.notice ?? null,
      };
      // The very statement of the server's `writeMoves`, through the same driver path.
      const written = (
        await executePrepared<{ type: string }>(
          db,
          moveStatement({ rows: [item], projectId, actorId, now, notifying: notice !== null }),
        )
      ).filter((r) => r.type === 'ticket.moved');
      if (written.length !== 1) throw new Error('version raced');
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
