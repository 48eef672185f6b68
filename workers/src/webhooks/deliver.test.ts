import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver } from './deliver.ts';
import { generateSecret, verify } from '../../../server/src/webhooks/sign.ts';
import { createGuardedDispatcher } from './guarded-dispatcher.ts';

// A real receiver on loopback. The guard allows it only because allowPrivate is on here;
// guarded-dispatcher.test.ts covers what happens with it off.

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const secret = generateSecret();
const dispatcher = createGuardedDispatcher({ allowPrivate: true });
let received: Received[] = [];
let server: Server;
let base: string;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'),
  '/fail': (_req, res) => res.writeHead(500).end('database is on fire'),
  '/redirect': (_req, res) => res.writeHead(302, { location: `${base}/target` }).end('moved'),
  '/target': (_req, res) => res.writeHead(200).end('you should not be here'),
  // Never answers at all.
  '/silent': () => {},
  // Sends the status and a first chunk, then hangs on the rest of the body.
  '/stall': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial ');
  },
  '/big': (_req, res) => res.writeHead(200).end('x'.repeat(100_000)),
  // More than a snippet, then a body that never ends: only a bounded read can return.
  '/endless': (_req, res) => {
    res.writeHead(200);
    res.write('y'.repeat(4096));
  },
  '/accents': (_req, res) => res.writeHead(200).end('ééé'),
};

function url(path: string): string {
  return `${base}${path}`;
}

function attempt(path: string, extra: Partial<Parameters<typeof deliver>[0]> = {}) {
  return deliver({
    url: url(path),
    secret,
    webhookId: 'msg_2bWXkR9eFJ7',
    type: 'ticket.moved',
    payload: { ticket: { id: 42, column: 3 } },
    dispatcher,
    ...extra,
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      (routes[path] ?? routes['/ok']!)(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  received = [];
});

afterAll(async () => {
  await dispatcher.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('deliver', () => {
  it('posts the event signed, and a 200 is ok', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await attempt('/ok');
    expect(result).toMatchObject({ ok: true, status: 200, error: null, snippet: 'thanks' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.headers['webhook-id']).toBe('msg_2bWXkR9eFJ7');
    expect(request!.headers['user-agent']).toBe('Laneway-Webhooks/1');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(Number(request!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(verify(secret, request!.headers, request!.body, 300)).toBe(true);
    expect(verify(generateSecret(), request!.headers, request!.body, 300)).toBe(false);

    const event = JSON.parse(request!.body);
    expect(Object.keys(event)).toEqual(['type', 'timestamp', 'data']);
    expect(event).toMatchObject({ type: 'ticket.moved', data: { ticket: { id: 42, column: 3 } } });
    expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
  });

  it('keeps the message id across retries and stamps each attempt anew', async () => {
    const occurredAt = new Date('2026-11-22T10:05:00Z');
    await attempt('/ok', { occurredAt });
    await attempt('/ok', { occurredAt });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(['msg_2bWXkR9eFJ7', 'msg_2bWXkR9eFJ7']);
    expect(received.map((r) => JSON.parse(r.body).timestamp)).toEqual([
      '2026-11-22T10:05:00.000Z',
      '2026-11-22T10:05:00.000Z',
    ]);
    for (const r of received) expect(verify(secret, r.headers, r.body, 300)).toBe(true);
  });

  it('reports a 500 with its status and the start of its body', async () => {
    const result = await attempt('/fail');
    expect(result).toMatchObject({ ok: false, status: 500, error: 'HTTP 500', snippet: 'database is on fire' });
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const result = await attempt('/redirect');
    expect(result).toMatchObject({ ok: false, status: 302, error: 'redirect 302 not followed' });
    expect(received.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('cuts a receiver that never answers at the timeout', async () => {
    const result = await attempt('/silent', { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, status: null, error: 'timeout after 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('cuts a receiver that sends headers and then hangs on the body', async () => {
    const result = await attempt('/stall', { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, status: 200, error: 'timeout after 300 ms', snippet: 'partial ' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('keeps at most snippetBytes of the response body', async () => {
    expect((await attempt('/big')).snippet).toBe('x'.repeat(1024));
    expect((await attempt('/big', { snippetBytes: 10 })).snippet).toBe('x'.repeat(10));
    // 5 bytes of 'ééé' (2 bytes each) end inside a character, which is dropped, not mangled.
    expect((await attempt('/accents', { snippetBytes: 5 })).snippet).toBe('éé');
  });

  it('stops reading once it has the snippet, and does not wait for the rest', async () => {
    const result = await attempt('/endless', { timeoutMs: 2_000 });
    expect(result).toMatchObject({ ok: true, status: 200, error: null, snippet: 'y'.repeat(1024) });
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('reports a refused connection without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const result = await deliver({
      url: `http://127.0.0.1:${port}/`,
      secret,
      webhookId: 'msg_1',
      type: 'ticket.created',
      payload: {},
      dispatcher,
    });
    expect(result).toMatchObject({ ok: false, status: null, snippet: '' });
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('refuses what is not an http(s) URL before any connection', async () => {
    const result = await attempt('/ok', { url: 'ftp://127.0.0.1/' });
    expect(result).toMatchObject({
      ok: false,
      status: null,
      error: 'refused: only http and https URLs are allowed (got ftp:)',
    });
    expect(received).toHaveLength(0);
  });
});
