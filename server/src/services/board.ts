import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Executor } from '@laneway/db/client';
import { sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { canSeeProject, isStaff } from '../policy/index.ts';
import { loadProjectAccessWith } from '../policy/load.ts';
import { projectTopic } from './changes.ts';
import { loadColumns, serializeColumn } from './columns.ts';
import { boardTickets } from './tickets.ts';

const gzip = promisify(gzipCallback);

/** One board version, encoded once: the JSON bytes, a gzip copy, and its ETag. */
export interface BoardBody {
  seq: number;
  etag: string;
  json: Buffer;
  gzip: Buffer;
}

/**
 * Encoded boards keyed by project and viewer scope, each stamped with the project topic's seq
 * when it was read. Every board change appends a project event in its transaction, so the seq
 * is the board's version: a cached body is served only while the seq is unchanged, which holds
 * across instances because the seq lives in Postgres. Readers that miss at the same time share
 * one rebuild (no herd of identical queries after each move).
 */
export class BoardCache {
  readonly #entries = new Map<string, { seq: number; body: Promise<BoardBody> }>();
  readonly #max: number;
  constructor(max = 256) {
    this.#max = max;
  }
  /** The body for `key` at `seq`: cached, being built by another caller, or built now. */
  get(key: string, seq: number, build: () => Promise<BoardBody>): Promise<BoardBody> {
    const entry = this.#entries.get(key);
    if (entry && entry.seq === seq) return entry.body;
    // A reader that saw an older seq than the cached one builds for itself, caching nothing.
    if (entry && entry.seq > seq) return build();
    const body = build();
    this.#entries.delete(key);
    this.#entries.set(key, { seq, body });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    body.catch(() => {
      if (this.#entries.get(key)?.body === body) this.#entries.delete(key);
    });
    return body;
  }
}

/**
 * The board: columns in order, each with its non-archived tickets in order, encoded. Company
 * people get only their companies' tickets. The access check and the board's version (the
 * project topic's seq) come from one query, read before the board itself, so a cached body is
 * never older than the seq it is stored under. 404 when the actor may not see the project.
 */
export async function boardBody(db: Executor, cache: BoardCache, actor: Actor, projectId: number): Promise<BoardBody> {
  const found = await loadProjectAccessWith(
    db,
    actor,
    projectId,
    sql<string>`coalesce((select s.seq from topic_seqs s where s.topic = ${projectTopic(projectId)}), 0)`,
  );
  if (!found || !canSeeProject(found.access)) throw notFound();
  const { access } = found;
  const seq = Number(found.extra);
  const scope = isStaff(access) ? null : access.companyIds;
  const key = `${access.projectId}:${scope ? scope.join(',') : '*'}`;
  return cache.get(key, seq, async () => {
    const [cols, tickets] = await Promise.all([
      loadColumns(db, access.projectId),
      boardTickets(db, access.projectId, scope),
    ]);
    const byColumn = new Map<number, unknown[]>(cols.map((c) => [c.id, []]));
    for (const t of tickets) byColumn.get(t.column)?.push(t);
    const json = Buffer.from(
      JSON.stringify({
        project: access.projectId,
        seq,
        columns: cols.map((c) => ({ ...serializeColumn(c), tickets: byColumn.get(c.id) ?? [] })),
      }),
    );
    return { seq, etag: `W/"board-${key}-${seq}"`, json, gzip: await gzip(json, { level: 6 }) };
  });
}
