/**
 * The per-instance credential cache (docs/decisions/0047). Every API request and WebSocket
 * upgrade resolves its token to an actor; the cache spares that database round trip for
 * SESSION_CACHE_SECONDS. It is safe only because every change that ends a session or changes
 * what it authorises announces itself on the bus (`services/publish.ts` `Control`), and every
 * instance drops the matching entries when the message arrives:
 *
 * - `session-revoked` (logout, a session ended from the account page, refresh-token reuse, an
 *   API token revoked): that session's or token's entries;
 * - `user-revoked` (sign out everywhere, password change or reset, deactivation): the user's;
 * - `access-changed` (roles, companies, the superuser flag): the user's;
 * - `session-renewed` (a refresh rotated the access secret): that session's.
 *
 * When messages may have been lost (the bus reconnected) the cache is emptied, and while the
 * bus is not connected it is not used at all: a revocation it could not hear of must not be
 * served from memory. A lookup that started before an invalidation never stores its answer
 * (a generation counter), so a revoked session is not put back by a slow read. Entries end at
 * the session's own expiry (before the point where the sliding expiry would move it, so the
 * slide still happens in the database), and only valid credentials are kept: a wrong token
 * always reaches the database. Keys are SHA-256 of the token, never the token itself.
 */
import { createHash } from 'node:crypto';
import type { Bus } from '../realtime/bus.ts';
import type { BusMessage } from '../realtime/protocol.ts';
import { CONTROL_TOPIC, type Control } from '../services/publish.ts';
import type { Actor } from '../lib/actor.ts';
import type { TokenScope } from './api-tokens.ts';

/** Who a bearer credential (a session's access token or an `lw_` API token) acts as. */
export interface Credential {
  actor: Actor;
  /** The session's id, or `api:<id>` for an API token (what socket revocation matches). */
  sessionId: string;
  /** A superuser or anyone with a project role, as read (kept fresh by `access-changed`). */
  staff: boolean;
  /** Set when the credential is an API token. */
  token?: { id: number; scope: TokenScope };
}

/** What a database lookup hands the cache: the credential and until when it may be kept. */
export interface Resolved extends Credential {
  /** Epoch ms after which this answer must be read from the database again. */
  cacheUntil: number;
}

interface Entry {
  credential: Credential;
  until: number;
}

/** Entries kept at most: the oldest go first beyond it (an instance rarely sees more sessions). */
const MAX_ENTRIES = 50_000;

export class CredentialCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a lookup that saw another number does not store its answer. */
  #generation = 0;
  readonly #live: () => boolean;
  readonly #stop: () => void;

  /**
   * @param ttlSeconds how long an answer is kept (0: never, the cache is off)
   * @param bus where control messages arrive; `connected()` false bypasses the cache
   */
  constructor(ttlSeconds: number, bus: Bus) {
    this.#ttlMs = ttlSeconds * 1000;
    let subscribed = !bus.whenSubscribed;
    void bus.whenSubscribed?.(CONTROL_TOPIC).then(() => (subscribed = true));
    this.#live = () => this.#ttlMs > 0 && subscribed && (bus.connected?.() ?? true);
    const listener = { onEvent: (event: BusMessage) => this.#onControl(event), onDoubt: () => this.clear() };
    if (this.#ttlMs > 0) bus.subscribe(CONTROL_TOPIC, listener);
    this.#stop = () => bus.unsubscribe(CONTROL_TOPIC, listener);
  }

  /** The cached credential for `token`, or the database's answer through `load` (kept when valid). */
  async resolve(token: string, load: () => Promise<Resolved | null>): Promise<Credential | null> {
    if (!this.#live()) return strip(await load());
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit) {
      if (hit.until > now) return hit.credential;
      this.#entries.delete(key);
    }
    const generation = this.#generation;
    const found = await load();
    if (!found) return null;
    const credential = strip(found);
    const until = Math.min(now + this.#ttlMs, found.cacheUntil);
    if (generation === this.#generation && until > Date.now() && this.#live()) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(key, { credential, until });
    }
    return credential;
  }

  /** Forgets every entry (and any lookup in flight). */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** How many entries are held (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    this.#stop();
    this.clear();
  }

  #onControl(event: BusMessage): void {
    const control = event.data as Control;
    this.#generation++;
    const matches =
      control.kind === 'session-revoked' || control.kind === 'session-renewed'
        ? (c: Credential) => c.sessionId === control.sessionId
        : (c: Credential) => c.actor.id === control.userId;
    for (const [key, entry] of this.#entries) if (matches(entry.credential)) this.#entries.delete(key);
  }
}

function strip(found: Resolved): Credential;
function strip(found: Resolved | null): Credential | null;
function strip(found: Resolved | null): Credential | null {
  if (!found) return null;
  const { cacheUntil: _, ...credential } = found;
  return credential;
}
