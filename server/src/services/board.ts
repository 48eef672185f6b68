import type { Executor } from '@laneway/db/client';
import { isStaff, type ProjectAccess } from '../policy/index.ts';
import { latestSeq, projectTopic } from './changes.ts';
import { listColumns, serializeColumn } from './columns.ts';
import { boardTickets } from './tickets.ts';

/**
 * Serialised boards keyed by project and viewer scope, each stamped with the project topic's
 * seq when it was read. Every board change appends a project event in its transaction, so the
 * seq is the board's version: a cached body is served only while the seq is unchanged, which
 * holds across instances because the seq lives in Postgres.
 */
export class BoardCache {
  readonly #entries = new Map<string, { seq: number; body: string }>();
  readonly #max: number;
  constructor(max = 256) {
    this.#max = max;
  }
  get(key: string, seq: number): string | undefined {
    const hit = this.#entries.get(key);
    return hit && hit.seq === seq ? hit.body : undefined;
  }
  set(key: string, seq: number, body: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, { seq, body });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/**
 * The board as JSON text: columns in order, each with its non-archived tickets in order.
 * Company people get only their companies' tickets. The seq is read before the board, so a
 * cached body is never older than the seq it is stored under.
 */
export async function boardJson(db: Executor, cache: BoardCache, access: ProjectAccess): Promise<string> {
  const scope = isStaff(access) ? null : access.companyIds;
  const key = `${access.projectId}:${scope ? scope.join(',') : '*'}`;
  const seq = await latestSeq(db, projectTopic(access.projectId));
  const hit = cache.get(key, seq);
  if (hit) return hit;
  const [cols, tickets] = await Promise.all([
    listColumns(db, access.projectId),
    boardTickets(db, access.projectId, scope),
  ]);
  const byColumn = new Map<number, unknown[]>(cols.map((c) => [c.id, []]));
  for (const t of tickets) byColumn.get(t.column)?.push(t);
  const body = JSON.stringify({
    project: access.projectId,
    seq,
    columns: cols.map((c) => ({ ...serializeColumn(c), tickets: byColumn.get(c.id) ?? [] })),
  });
  cache.set(key, seq, body);
  return body;
}
