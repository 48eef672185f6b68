/**
 * Publishing after commit. A request (or a job) runs inside `withPublisher(bus, …)`; services
 * open transactions with `transact`, which collects the events its `recordChange` calls append
 * and publishes them only once the transaction has committed. A rolled-back transaction
 * publishes nothing; a single-statement change (`commitChange`) publishes when it returns.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Tx } from '@laneway/db/client';
import type { Bus } from '../realtime/bus.ts';
import type { BusMessage } from '../realtime/protocol.ts';

interface Scope {
  bus: Bus | null;
  /** Events of the transaction being run, published after its commit. */
  pending: BusMessage[] | null;
  /** The request (or job) this work belongs to: jobs it enqueues carry it into their logs. */
  requestId: string | null;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs `fn` with `bus` as the destination of every change it commits. */
export function withPublisher<T>(bus: Bus, fn: () => T, requestId: string | null = null): T {
  return scope.run({ bus, pending: null, requestId }, fn);
}

/** The request id of the work being run, if any. */
export function currentRequestId(): string | null {
  return scope.getStore()?.requestId ?? null;
}

/** A transaction whose recorded events are published after it commits. */
export async function transact<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const outer = scope.getStore();
  const pending: BusMessage[] = [];
  const result = await scope.run({ bus: outer?.bus ?? null, pending, requestId: outer?.requestId ?? null }, () =>
    db.transaction(fn),
  );
  for (const event of pending) outer?.bus?.publish(event);
  return result;
}

/**
 * Hands a recorded event to the enclosing `transact`, or publishes a committed one now.
 * Outside any publisher (seed scripts, direct service calls in tests) events stay in the outbox
 * only. An uncommitted event outside `transact` would be published before its commit: refused.
 */
export function emit(event: BusMessage, committed: boolean): void {
  const store = scope.getStore();
  if (!store?.bus) return;
  // Inside `transact` even a statement's own event waits for the enclosing commit.
  if (store.pending) store.pending.push(event);
  else if (committed) store.bus.publish(event);
  else throw new Error('recordChange must run inside transact() so its event is published after commit');
}

/** The bus topic of control messages between instances; clients cannot subscribe to it. */
export const CONTROL_TOPIC = 'control';

/** What a control message tells every instance's WebSocket hub to re-check. */
export type Control =
  | { kind: 'session-revoked'; sessionId: string }
  /** The session's access secret was rotated (a refresh): credential caches drop it, sockets stay. */
  | { kind: 'session-renewed'; sessionId: string }
  | { kind: 'user-revoked'; userId: number; keepSession?: string }
  /** `projectId` absent: the user's company ties changed, which may touch any project. */
  | { kind: 'access-changed'; userId: number; projectId?: number };

/** `access-changed` for each of these users, after the enclosing transaction commits. */
export function accessChanged(userIds: Iterable<number>, projectId?: number): void {
  for (const userId of new Set(userIds)) {
    emitControl({ kind: 'access-changed', userId, ...(projectId === undefined ? {} : { projectId }) }, false);
  }
}

/**
 * Announces that sessions or access changed, so sockets are cut or re-authorised (within a
 * second, on every instance). `committed` as for `emit`: inside `transact` it waits for commit.
 */
export function emitControl(control: Control, committed: boolean): void {
  emit(
    { type: `control.${control.kind}`, topic: CONTROL_TOPIC, seq: 0, at: new Date().toISOString(), data: control },
    committed,
  );
}
