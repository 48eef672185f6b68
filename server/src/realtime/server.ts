/**
 * The WebSocket endpoint on the HTTP server's port (SPEC §6): `/ws/` (multiplexed) and the old
 * system's `/ws/projects/{id}/tickets/`, `/ws/chat/{room_id}/` and `/ws/notifications/`, each a
 * connection pre-subscribed to one topic.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { lifetimes } from '../auth/middleware.ts';
import { validateCredential } from '../auth/credentials.ts';
import type { AppDeps } from '../deps.ts';
import type { Actor } from '../lib/actor.ts';
import { CLOSE, MAX_PAYLOAD, type BusMessage } from './protocol.ts';
import { sql } from 'drizzle-orm';
import { CONTROL_TOPIC, type Control } from '../services/publish.ts';
import { mustEnrol } from '../services/two-factor.ts';
import { Connection, connectionOf, HEARTBEAT_MS, type ConnectionStart } from './socket.ts';

const PATHS: [RegExp, (m: RegExpExecArray) => ((actor: Actor) => string) | null][] = [
  [/^\/ws\/?$/, () => null],
  [/^\/ws\/projects\/([1-9]\d{0,9})\/tickets\/?$/, (m) => () => `project:${m[1]}`],
  [/^\/ws\/chat\/([1-9]\d{0,9})\/?$/, (m) => () => `room:${m[1]}`],
  [/^\/ws\/notifications\/?$/, () => (actor) => `user:${actor.id}`],
];

function reject(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket with 1001 so clients resume elsewhere. */
  close(): void;
}

export function createRealtime(deps: AppDeps): Realtime {
  // No permessage-deflate: event frames are shared, pre-built bytes (frames.ts).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  const { config } = deps;
  const secureCookie = config.PUBLIC_URL?.startsWith('https:') ?? false;
  const cookieName = secureCookie ? '__Host-session' : 'session';

  type UpgradeAuth = { actor: Actor | null; sessionId: string | null; status?: number };
  // REQUIRE_2FA holds on sockets too: a covered user who has not enrolled gets 403.
  const authenticate = async (req: IncomingMessage): Promise<UpgradeAuth> => {
    const found = await credentials(req);
    if (found.actor && (await mustEnrol(deps.db, config, found.actor, found.sessionId!)))
      return { actor: null, sessionId: null, status: 403 };
    return found;
  };
  const credentials = async (req: IncomingMessage): Promise<UpgradeAuth> => {
    const none = { actor: null, sessionId: null };
    const header = req.headers.authorization;
    if (header?.toLowerCase().startsWith('bearer ')) {
      const found = await validateCredential(deps.db, header.slice(7).trim(), lifetimes(config), deps.credentialCache);
      return found ? { actor: found.actor, sessionId: found.sessionId } : { ...none, status: 401 };
    }
    const token = cookieValue(req.headers.cookie, cookieName);
    // API tokens are Bearer credentials only, never a cookie.
    if (!token || token.startsWith('lw_')) return none;
    // A cookie is sent by the browser on any page's request: only our own pages may use it.
    const own = config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : `http://${req.headers.host}`;
    const origin = req.headers.origin;
    if (!origin || (origin !== own && !config.CORS_ALLOWED_ORIGINS.includes(origin))) return { ...none, status: 403 };
    const found = await validateCredential(deps.db, token, lifetimes(config), deps.credentialCache);
    return found ? { actor: found.actor, sessionId: found.sessionId } : { ...none, status: 401 };
  };

  /** Every open socket's connection (ws keeps the set of open sockets). */
  function* connections(): Generator<Connection> {
    for (const ws of wss.clients) {
      const connection = connectionOf(ws);
      if (connection) yield connection;
    }
  }
  /** Cuts or re-checks sockets when sessions or access change (on any instance). */
  const onControl = (event: BusMessage) => {
    const control = event.data as Control;
    for (const c of connections()) {
      if (control.kind === 'session-revoked' && c.sessionId === control.sessionId) c.revoke();
      else if (control.kind === 'user-revoked' && c.actor?.id === control.userId) {
        if (c.sessionId !== control.keepSession) c.revoke();
      } else if (control.kind === 'access-changed' && c.actor?.id === control.userId) void c.reauthorize();
    }
  };
  /** After a bus reconnect a control message may be lost: re-check every socket from the database. */
  const onDoubt = () => {
    void (async () => {
      const ids = [...connections()].map((c) => c.sessionId).filter((id): id is string => id !== null);
      const valid = new Set(
        ids.length
          ? (
              await deps.db.execute<{ id: string }>(sql`
                select s.id from sessions s join users u on u.id = s.user_id
                where s.id in (${sql.join(
                  ids.map((id) => sql`${id}`),
                  sql`, `,
                )}) and u.is_active and s.expires_at > now()
                union all
                select 'api:' || t.id from api_tokens t join users u on u.id = t.user_id
                where 'api:' || t.id in (${sql.join(
                  ids.map((id) => sql`${id}`),
                  sql`, `,
                )}) and u.is_active and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`)
            ).map((r) => r.id)
          : [],
      );
      for (const c of connections()) {
        const id = c.sessionId;
        if (id !== null && !valid.has(id)) c.revoke();
        else await c.reauthorize();
      }
    })().catch((error: unknown) => deps.logger.error({ err: error }, 'revalidating sockets failed'));
  };
  const control = { onEvent: onControl, onDoubt };
  deps.bus.subscribe(CONTROL_TOPIC, control);
  // One timer for every socket rather than one each (decision 0055); it keeps no process alive.
  const heartbeat = setInterval(() => {
    for (const c of connections()) c.heartbeat();
  }, HEARTBEAT_MS).unref();

  /**
   * Runs an upgraded socket. Apart from handleUpgrade on purpose: a listener created in there
   * would keep the upgrade's request, its headers and its head buffer alive as long as the
   * socket (its closure's scope chain holds them: about 1.8 KB per socket, decision 0055).
   */
  const accept = (ws: WebSocket, start: ConnectionStart) => {
    new Connection(ws, deps, start);
    deps.metrics.openSockets.inc();
    ws.on('close', closed);
  };
  /** One listener for every socket's close. */
  const closed = () => deps.metrics.openSockets.dec();

  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = PATHS.map(([re, topic]) => {
        const m = re.exec(path);
        return m ? topic(m) : undefined;
      }).find((t) => t !== undefined);
      if (route === undefined) return reject(socket, 404, 'Not Found');
      authenticate(req)
        .then(({ actor, sessionId, status }) => {
          if (status) return reject(socket, status, status === 401 ? 'Unauthorized' : 'Forbidden');
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, { actor, sessionId, initialTopic: route }));
        })
        .catch((error: unknown) => {
          deps.logger.error({ err: error }, 'websocket upgrade failed');
          reject(socket, 500, 'Internal Server Error');
        });
    },
    close() {
      deps.bus.unsubscribe(CONTROL_TOPIC, control);
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'server shutting down');
      wss.close();
    },
  };
}
