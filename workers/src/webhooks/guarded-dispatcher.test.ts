import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REFUSED_DESTINATIONS } from '../../../test/ssrf-destinations.ts';
import { generateSecret } from '../../../server/src/webhooks/sign.ts';
import { checkUrl, type Resolve } from '../../../server/src/webhooks/ssrf.ts';
import { deliver } from './deliver.ts';
import { createGuardedDispatcher } from './guarded-dispatcher.ts';

// Real sockets on loopback: a canary HTTP server on 127.0.0.1 and ::1 (same port) counts every
// connection that reaches it, and the guard must keep that count at 0.
//
// The tripwire is a safety net, not a network mock: this machine must never send a packet to
// a private or public address from a test, so should the guard regress, a connect to anything
// but loopback throws before a SYN leaves and is reported by the afterEach check. The *.test
// names resolve only through this file's scripted resolvers, whose first answer is loopback.
const LOCAL_HOSTS = new Set(['127.0.0.1', '::1', '::ffff:7f00:1', '0.0.0.0', '::', 'localhost']);
const SCRIPTED_NAMES = new Set(['rebind.test', 'pinned.test', 'mixed.test']);
const blocked: string[] = [];
const realConnect = net.Socket.prototype.connect;

function hostOf(args: unknown[]): string {
  const first = Array.isArray(args[0]) ? (args[0][0] as unknown) : args[0];
  if (typeof first === 'object' && first !== null) return String((first as { host?: string }).host ?? 'localhost');
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

function tripwire(this: net.Socket, ...args: unknown[]): net.Socket {
  const host = hostOf(args);
  if (!LOCAL_HOSTS.has(host) && !SCRIPTED_NAMES.has(host)) {
    blocked.push(host);
    throw new Error(`tripwire: a test tried to connect to ${host}`);
  }
  return Reflect.apply(realConnect, this, args) as net.Socket;
}

let connections = 0;
let requests: { host: string | undefined }[] = [];
const canaries: Server[] = [];
let port = 0;

function canary(): Server {
  const server = createServer((req, res) => {
    requests.push({ host: req.headers.host });
    req.resume();
    res.writeHead(204).end();
  });
  server.on('connection', () => connections++);
  canaries.push(server);
  return server;
}

const listen = (server: Server, host: string, at: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: at, host, ipv6Only: true }, () => resolve((server.address() as AddressInfo).port));
  });

const guarded = createGuardedDispatcher({ allowPrivate: false });
const open = createGuardedDispatcher({ allowPrivate: true });

function post(url: string, dispatcher = guarded) {
  return deliver({
    url,
    secret: generateSecret(),
    webhookId: 'msg_ssrf',
    type: 'ticket.created',
    payload: { id: 1 },
    timeoutMs: 2_000,
    dispatcher,
  });
}

beforeAll(async () => {
  net.Socket.prototype.connect = tripwire as typeof realConnect;
  port = await listen(canary(), '127.0.0.1', 0);
  await listen(canary(), '::1', port);
});

beforeEach(() => {
  connections = 0;
  requests = [];
});

afterEach(() => {
  // splice, so one regression is reported by the test that caused it and not by every later one
  expect(blocked.splice(0)).toEqual([]);
});

afterAll(async () => {
  net.Socket.prototype.connect = realConnect;
  await Promise.all([guarded.destroy(), open.destroy()]);
  for (const server of canaries) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('deliver through the guard, allowPrivate false', () => {
  const at = (path = '/') => `:${port}${path}`;

  // The same table as the create-time check's (server/src/webhooks/ssrf.test.ts), so the two
  // moments refuse the same destinations with the same reason.
  it.each(REFUSED_DESTINATIONS)('refuses %s', async (_name, url, reason) => {
    const result = await post(url(port));
    expect(result).toMatchObject({ ok: false, status: null, error: `refused: ${reason}`, snippet: '' });
    expect(connections).toBe(0);
  });

  it('lets the canary be reached when allowPrivate is true', async () => {
    for (const url of [`http://127.0.0.1${at()}`, `http://[::1]${at()}`, `http://localhost${at()}`]) {
      expect(await post(url, open)).toMatchObject({ ok: true, status: 204, error: null });
    }
    expect(requests).toHaveLength(3);
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(await checkUrl(`http://127.0.0.1${at()}`, { allowPrivate: true })).toMatchObject({ ok: true });
  });
});

describe('DNS answers', () => {
  const publicAnswer: LookupAddress = { address: '93.184.215.14', family: 4 };
  const loopback: LookupAddress = { address: '127.0.0.1', family: 4 };

  /** A resolver that plays a DNS server: it gives the next scripted answer on each call. */
  function scripted(...answers: LookupAddress[][]): Resolve & { calls: string[] } {
    const calls: string[] = [];
    const resolve = async (hostname: string) => {
      calls.push(hostname);
      const answer = answers[Math.min(calls.length, answers.length) - 1];
      if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return answer;
    };
    return Object.assign(resolve, { calls });
  }

  it('a rebinding answer after a public one is refused at connect time, with one lookup', async () => {
    const resolve = scripted([publicAnswer], [loopback]);
    const url = `http://rebind.test:${port}/`;
    // Create time: the name looks public.
    expect(await checkUrl(url, { resolve })).toEqual({ ok: true, url: new URL(url), addresses: ['93.184.215.14'] });

    // Delivery: the same name now answers loopback; the guard's own lookup sees it and refuses.
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, resolve });
    try {
      const result = await post(url, dispatcher);
      expect(result).toMatchObject({ ok: false, error: 'refused: resolves to a loopback address (127.0.0.1)' });
      expect(resolve.calls).toEqual(['rebind.test', 'rebind.test']);
      expect(connections).toBe(0);
    } finally {
      await dispatcher.destroy();
    }
  });

  it('the socket connects to the checked answer, with no second resolution', async () => {
    // pinned.test exists nowhere but in this resolver, so reaching the canary at all proves
    // the connection used the answer the guard saw.
    const resolve = scripted([loopback], [{ address: '10.0.0.1', family: 4 }]);
    const dispatcher = createGuardedDispatcher({ allowPrivate: true, resolve });
    try {
      expect(await post(`http://pinned.test:${port}/`, dispatcher)).toMatchObject({ ok: true, status: 204 });
      expect(resolve.calls).toEqual(['pinned.test']);
      expect(requests).toEqual([{ host: `pinned.test:${port}` }]);
    } finally {
      await dispatcher.destroy();
    }
  });

  it('every answer is checked, not just the first', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, resolve: scripted([loopback, publicAnswer]) });
    try {
      const result = await post(`http://mixed.test:${port}/`, dispatcher);
      expect(result).toMatchObject({ ok: false, error: 'refused: resolves to a loopback address (127.0.0.1)' });
      expect(connections).toBe(0);
    } finally {
      await dispatcher.destroy();
    }
  });
});
