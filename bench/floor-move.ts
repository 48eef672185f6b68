/**
 * One move as the benchmarks' floors issue it: the two statements the design needs, from a bare
 * client. The read takes the ticket, the mover's role in its project, the target column, the
 * key at its end and the ticket's assignees (what the server's `readForMove` reads); the write
 * is the very statement of the server's `writeMoves` (`moveStatement`: ticket row, activity
 * row, topic seq, event and, into done, the notifications of the reporter and assignees), run
 * as the server runs it (drizzle's prepared query on postgres.js). No HTTP, no session, no
 * validation, no JSON answer: what the ratios against these floors charge the server for.
 */
import type { Db } from '@laneway/db/client';
import { executePrepared } from '@laneway/db/prepared';
import type { ColumnCategory } from '@laneway/db/schema';
import type postgres from 'postgres';
import { keyBetween } from '../server/src/services/ordering.ts';
import { moveStatement, type MoveRow } from '../server/src/services/ticket-moves.ts';

interface ReadRow {
  id: number;
  project_id: number;
  project_key: string;
  number: number;
  title: string;
  version: number;
  status: ColumnCategory;
  reporter_id: number | null;
  category: ColumnCategory;
  edge: string | null;
  role: string | null;
  assignees: number[];
  [key: string]: unknown;
}

/** Moves ticket `id` from column `from` to the end of column `to`; false when its version raced. */
export async function floorMove(
  db: Db,
  sql: postgres.Sql,
  move: { id: number; from: number; to: number; actorId: number },
): Promise<boolean> {
  const { id, from, to, actorId } = move;
  const [row] = await sql<ReadRow[]>`
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
            project: row.project_id,
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
  const written = await executePrepared<{ type: string }>(
    db,
    moveStatement({ rows: [item], projectId: row.project_id, actorId, now, notifying: notice !== null }),
  );
  return written.filter((r) => r.type === 'ticket.moved').length === 1;
}
