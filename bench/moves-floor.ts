/**
 * The floor of bench:api's `moves` row (issue 20): the SQL a move needs at minimum, issued by a
 * bare postgres.js client at the same concurrency, in its own process. Per move, two round
 * trips, as the design needs: one statement reads the ticket, the mover's role in its project,
 * the target column and the key at its end (what `readForMove` reads), and one statement
 * writes the ticket row, its activity row, the topic's seq and its event (the very statement
 * of `writeMoves`). No HTTP, no session, no JSON parsing of requests.
 *
 * Run by bench/api.ts as `node bench/moves-floor.ts <database url> <project id> <actor id>
 * <connections> <warm-up s> <duration s>`; it sends `{ moves, p50, p99, errors }` over IPC and
 * exits. It moves the tickets of its own project (made by api.ts), each to the end of another
 * column, never two moves of one ticket at once.
 */
import { performance } from 'node:perf_hooks';
import { createDb } from '@laneway/db/client';
import { keyBetween } from '../server/src/services/ordering.ts';

interface TicketRow {
  id: number;
  column_id: number;
  [key: string]: unknown;
}

async function run(): Promise<void> {
  const [url, project, actorArg, connArg, warmArg, durArg] = process.argv.slice(2);
  const projectId = Number(project);
  const actorId = Number(actorArg);
  const connections = Number(connArg);
  // The server's pool size (server/src/deps.ts), prepared statements as postgres.js does by default.
  const { sql } = createDb(url!, { max: 20, applicationName: 'bench floor' });
  const columns = (
    await sql<{ id: number }[]>`select id from columns where project_id = ${projectId} order by position`
  ).map((c) => c.id);
  const tickets = await sql<{ id: number; column_id: number }[]>`
    select id, column_id from tickets where project_id = ${projectId} order by id`;
  const where = new Map(tickets.map((t) => [t.id, t.column_id]));
  const idle = tickets.map((t) => t.id);
  const topic = `project:${projectId}`;
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  let recording = false;

  const moveOne = async () => {
    const id = idle.splice(Math.floor(Math.random() * idle.length), 1)[0]!;
    const from = where.get(id)!;
    const others = columns.filter((c) => c !== from);
    const to = others[Math.floor(Math.random() * others.length)]!;
    const started = performance.now();
    try {
      const [row] = await sql<(TicketRow & { category: string; edge: string | null; role: string | null })[]>`
        select t.*, c.category, r.role,
          (select max(o.position) from tickets o where o.column_id = c.id and o.id <> t.id) as edge
        from tickets t
        join projects p on p.id = t.project_id
        left join columns c on c.id = ${to} and c.project_id = t.project_id
        left join user_roles r on r.project_id = t.project_id and r.user_id = ${actorId}
        where t.id = ${id}`;
      if (!row) throw new Error(`ticket ${id} not found`);
      const position = keyBetween({ lower: row.edge, upper: null });
      const now = new Date().toISOString();
      const { category, edge: _edge, role: _role, ...ticket } = row;
      const payload = { ...ticket, column_id: to, position, status: category, version: Number(row.version) + 1 };
      const item = {
        i: 0,
        id,
        version: row.version,
        column_id: to,
        position,
        status: category,
        done_at: category === 'done' ? now : null,
        data: { from_column: from, to_column: to, position },
        payload,
      };
      const written = await sql`
        with m as (
          select * from jsonb_to_recordset(${JSON.stringify([item])}::jsonb) as x(
            i int, id int, version int, column_id int, position text, status column_category, done_at timestamptz,
            data jsonb, payload jsonb)
        ), written as (
          update tickets t set column_id = m.column_id, position = m.position, status = m.status, done_at = m.done_at,
            version = t.version + 1, updated_at = ${now}::timestamptz
          from m where t.id = m.id and t.version = m.version
          returning t.id
        ), ok as (
          select m.*, row_number() over (order by m.i) as rn, count(*) over () as n from m join written using (id)
        ), logged as (
          insert into activity (project_id, ticket_id, actor_id, verb, data)
          select ${projectId}, ok.id, ${actorId}, 'ticket.moved', ok.data from ok order by ok.i
        ), next as (
          insert into topic_seqs (topic, seq) select ${topic}, max(ok.n) from ok having count(*) > 0
          on conflict (topic) do update set seq = topic_seqs.seq + excluded.seq
          returning seq
        )
        insert into events (topic, seq, type, payload, request_id)
        select ${topic}, next.seq - ok.n + ok.rn, 'ticket.moved', ok.payload, null::text
        from ok cross join next order by ok.rn
        returning seq, created_at`;
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
