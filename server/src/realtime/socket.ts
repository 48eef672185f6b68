/**
 * One WebSocket connection: authentication (at the upgrade, or by a first `auth` message
 * within AUTH_GRACE_MS), message validation with the shared protocol, subscriptions with
 * replay, heartbeat, and the send-buffer bound.
 */
import type { WebSocket } from 'ws';
import { lifetimes } from '../auth/middleware.ts';
import { validateAccessToken } from '../auth/sessions.ts';
import type { AppDeps, Actor } from '../lib/context.ts';
import { authorizeTopic, type TopicGrant } from './hub.ts';
import { startSubscription, type LiveSubscription } from './live.ts';
import { AUTH_GRACE_MS, ClientMessage, CLOSE, SERVER, type ServerMessage } from './protocol.ts';

/** Past this many bytes queued for a socket, it is closed with CLOSE.resume. */
export const SEND_BUFFER_LIMIT = 4 * 1024 * 1024;

interface Subscription {
  grant: TopicGrant;
  live: LiveSubscription;
}

export interface Connection {
  /** Topics this socket is subscribed to, with what each grant allows. */
  readonly subscriptions: Map<string, Subscription>;
  readonly actor: () => Actor | null;
  readonly sessionId: () => string | null;
  /** The session ended: close at once (the client must sign in again). */
  revoke(): void;
  /** Access may have changed: re-check every subscription, ending those no longer allowed. */
  reauthorize(): Promise<void>;
}

/**
 * Runs a connection. `actor` is set when the upgrade carried a valid session; `initialTopic`
 * is the topic of an old-style path (`/ws/projects/1/tickets/`), or `user:` for notifications.
 */
export function runConnection(
  ws: WebSocket,
  deps: AppDeps,
  initial: { actor: Actor | null; sessionId: string | null; initialTopic: ((actor: Actor) => string) | null },
): Connection {
  let actor = initial.actor;
  let sessionId = initial.sessionId;
  const subscriptions = new Map<string, Subscription>();
  // Messages are handled one at a time, in the order they arrive.
  let queue = Promise.resolve();

  /** Sends a frame, or closes a consumer too slow to keep up (it resumes with `since`). */
  const sendFrame = (frame: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > SEND_BUFFER_LIMIT) {
      ws.close(CLOSE.resume, 'send buffer full: reconnect and resume');
      return;
    }
    ws.send(frame);
  };
  const send = (message: ServerMessage) => sendFrame(JSON.stringify(message));
  const fail = (code: string, message: string, topic?: string) =>
    send({ type: SERVER.error, code, message, ...(topic ? { topic } : {}) });

  const subscribe = async (topic: string, since: number | undefined) => {
    const grant = await authorizeTopic(deps.db, actor!, topic);
    if (!grant) return fail('not_found', 'No such topic, or not yours', topic);
    subscriptions.get(topic)?.live.close();
    subscriptions.delete(topic);
    const live = await startSubscription(deps.db, deps.bus, grant, since, send, sendFrame);
    if (ws.readyState !== ws.OPEN) return live.close();
    subscriptions.set(topic, { grant, live });
  };

  const becomeReady = async () => {
    send({ type: SERVER.ready, user: { id: actor!.id, username: actor!.username } });
    if (initial.initialTopic) await subscribe(initial.initialTopic(actor!), undefined);
  };

  let authTimer: NodeJS.Timeout | undefined;
  if (actor) {
    queue = queue.then(becomeReady);
  } else {
    authTimer = setTimeout(() => ws.close(CLOSE.unauthorized, 'authentication required'), AUTH_GRACE_MS);
  }

  const handle = async (raw: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return fail('bad_message', 'Messages are JSON objects');
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) return fail('validation_error', result.error.issues[0]?.message ?? 'Invalid message');
    const message = result.data;
    if (!actor) {
      if (message.type !== 'auth') return fail('unauthorized', 'Send {"type": "auth", "token": …} first');
      const found = await validateAccessToken(deps.db, message.token, lifetimes(deps.config));
      if (!found) {
        ws.close(CLOSE.unauthorized, 'invalid token');
        return;
      }
      clearTimeout(authTimer);
      actor = found.actor;
      sessionId = found.sessionId;
      return becomeReady();
    }
    switch (message.type) {
      case 'auth':
        return fail('bad_message', 'Already authenticated');
      case 'subscribe':
        return subscribe(message.topic, message.since);
      case 'unsubscribe':
        subscriptions.get(message.topic)?.live.close();
        subscriptions.delete(message.topic);
        return send({ type: SERVER.unsubscribed, topic: message.topic });
      case 'ping':
        return send({ type: SERVER.pong });
      default:
        // chat.send, typing and presence arrive with the rest of the realtime issue.
        return fail('unsupported', `${message.type} is not available yet`);
    }
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return fail('bad_message', 'Text frames only');
    const text = data.toString();
    queue = queue
      .then(() => handle(text))
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'websocket message failed');
        fail('internal', 'Something went wrong');
      });
  });

  // Protocol errors (an oversized or malformed frame): ws closes the socket itself (1009, 1002);
  // without a listener the error event would take the whole process down.
  ws.on('error', (error) => deps.logger.debug({ err: error.message }, 'websocket error'));

  // Heartbeat: a socket that does not answer a ping before the next one is dead.
  let alive = true;
  ws.on('pong', () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, 30_000);
  ws.on('close', () => {
    clearInterval(heartbeat);
    clearTimeout(authTimer);
    for (const { live } of subscriptions.values()) live.close();
    subscriptions.clear();
  });

  const reauthorize = async () => {
    if (!actor) return;
    for (const [topic, { live }] of [...subscriptions]) {
      if (await authorizeTopic(deps.db, actor, topic)) continue;
      live.close();
      subscriptions.delete(topic);
      fail('revoked', 'Access to this topic ended', topic);
    }
  };

  return {
    subscriptions,
    actor: () => actor,
    sessionId: () => sessionId,
    revoke: () => ws.close(CLOSE.revoked, 'session ended'),
    reauthorize: () => (queue = queue.then(reauthorize)),
  };
}
