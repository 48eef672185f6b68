import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver } from './deliver.ts';
import { generateSecret } from './sign.ts';
import { checkAddress, checkUrl, createGuardedDispatcher, type Resolve } from './ssrf.ts';

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

describe('URL parsing', () => {
  // The guard relies on WHATWG URL turning every IPv4 spelling into a dotted quad, so that
  // the literal check in the dispatcher sees 127.0.0.1 and never "2130706433".
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]'],
    ['http://LOCALHOST./', 'localhost.'],
  ])('%s has the host %s', (url, hostname) => {
    expect(new URL(url).hostname).toBe(hostname);
  });
});

describe('deliver through the guard, allowPrivate false', () => {
  const at = (path = '/') => `:${port}${path}`;
  // [url (a function: the canary's port is known only once it listens), the error deliver reports]
  const refused: [string, () => string, string][] = [
    ['loopback', () => `http://127.0.0.1${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['localhost', () => `http://localhost${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['decimal', () => `http://2130706433${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['octal', () => `http://0177.0.0.1${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['hex', () => `http://0x7f.0.0.1${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['short', () => `http://127.1${at()}`, 'resolves to a loopback address (127.0.0.1)'],
    ['IPv6 loopback', () => `http://[::1]${at()}`, 'resolves to a loopback address (::1)'],
    [
      'IPv4-mapped',
      () => `http://[::ffff:127.0.0.1]${at()}`,
      'resolves to a loopback address (::ffff:7f00:1 = 127.0.0.1)',
    ],
    [
      'IPv4-mapped hex',
      () => `http://[::ffff:7f00:1]${at()}`,
      'resolves to a loopback address (::ffff:7f00:1 = 127.0.0.1)',
    ],
    ['NAT64', () => `http://[64:ff9b::7f00:1]${at()}`, 'resolves to a loopback address (64:ff9b::7f00:1 = 127.0.0.1)'],
    ['6to4', () => `http://[2002:7f00:1::1]${at()}`, 'resolves to a loopback address (2002:7f00:1::1 = 127.0.0.1)'],
    ['unspecified', () => `http://0.0.0.0${at()}`, 'resolves to an unspecified address (0.0.0.0)'],
    ['IPv6 unspecified', () => `http://[::]${at()}`, 'resolves to an unspecified address (::)'],
    ['RFC1918 10/8', () => 'http://10.0.0.1/', 'resolves to a private address (10.0.0.1)'],
    ['RFC1918 192.168/16', () => 'http://192.168.1.1/', 'resolves to a private address (192.168.1.1)'],
    ['RFC1918 172.16/12', () => 'http://172.16.0.1/', 'resolves to a private address (172.16.0.1)'],
    ['unique local', () => 'http://[fc00::1]/', 'resolves to a private address (fc00::1)'],
    ['CGNAT', () => 'http://100.64.0.1/', 'resolves to a shared (CGNAT) address (100.64.0.1)'],
    ['link-local', () => 'http://[fe80::1]/', 'resolves to a link-local address (fe80::1)'],
    [
      'metadata',
      () => 'http://169.254.169.254/latest/meta-data',
      'resolves to a cloud metadata address (169.254.169.254)',
    ],
    [
      'metadata IPv6',
      () => 'http://[fd00:ec2::254]/latest/meta-data',
      'resolves to a cloud metadata address (fd00:ec2::254)',
    ],
    [
      'metadata mapped',
      () => 'http://[::ffff:a9fe:a9fe]/',
      'resolves to a cloud metadata address (::ffff:a9fe:a9fe = 169.254.169.254)',
    ],
    ['multicast', () => 'http://224.0.0.1/', 'resolves to a multicast address (224.0.0.1)'],
    ['broadcast', () => 'http://255.255.255.255/', 'resolves to the broadcast address (255.255.255.255)'],
    ['documentation', () => 'http://192.0.2.1/', 'resolves to a reserved address (192.0.2.1)'],
    ['benchmarking', () => 'http://198.18.0.1/', 'resolves to a reserved address (198.18.0.1)'],
    ['ftp', () => 'ftp://example.com/', 'only http and https URLs are allowed (got ftp:)'],
    ['file', () => 'file:///etc/passwd', 'only http and https URLs are allowed (got file:)'],
    ['credentials', () => 'http://user:pass@example.com/', 'credentials in the URL are not allowed'],
    ['credentials on loopback', () => `http://user@127.0.0.1${at()}`, 'credentials in the URL are not allowed'],
  ];

  it.each(refused)('refuses %s', async (_name, url, reason) => {
    const result = await post(url());
    expect(result).toMatchObject({ ok: false, status: null, error: `refused: ${reason}`, snippet: '' });
    expect(connections).toBe(0);
    // The REST layer's create-time check gives the same answer.
    expect(await checkUrl(url())).toEqual({ ok: false, reason });
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
    // The dispatcher and checkUrl share one resolve-and-check step; with the private answer
    // last it is checked without opening a connection to the public one first.
    expect(await checkUrl('http://mixed.test/', { resolve: scripted([publicAnswer, loopback]) })).toEqual({
      ok: false,
      reason: 'resolves to a loopback address (127.0.0.1)',
    });
  });

  it('a name that does not resolve is reported, not thrown', async () => {
    expect(await checkUrl('http://nowhere.test/', { resolve: scripted() })).toEqual({
      ok: false,
      reason: 'does not resolve (ENOTFOUND)',
    });
    expect(await checkUrl('http://nowhere.test/', { resolve: scripted([]) })).toEqual({
      ok: false,
      reason: 'does not resolve (ENOTFOUND)',
    });
  });
});

describe('checkAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (address) => {
    expect(checkAddress(address)).toEqual({ ok: true });
  });

  it.each([
    ['127.255.255.254', 'a loopback address'],
    ['172.31.255.255', 'a private address'],
    ['169.254.0.1', 'a link-local address'],
    ['169.254.170.2', 'a cloud metadata address'],
    ['168.63.129.16', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['240.0.0.1', 'a reserved address'],
    ['ff02::1', 'a multicast address'],
    ['2001:db8::1', 'a reserved address'],
    ['::7f00:1', 'a reserved address'],
    ['64:ff9b::a00:1', 'a private address'],
    ['::ffff:0:a00:1', 'a private address'],
    ['fe80::1%eth0', 'a link-local address'],
  ])('refuses %s as %s', (address, kind) => {
    expect(checkAddress(address)).toMatchObject({ ok: false, reason: expect.stringContaining(kind) });
  });
});
