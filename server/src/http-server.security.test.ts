/**
 * Issue 14, row 3: an oversized JSON body must not leave a keep-alive socket that the server
 * then drops without answering the next request sent on it.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { closeHttpServer, createHttpServer } from './http-server.ts';

let t: TestApp;
let server: Server;
let port: number;

beforeAll(async () => {
  t = await createTestApp();
  server = await createHttpServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  if (server) await closeHttpServer(server);
  await t?.close();
});

/** One HTTP/1.1 response read off a raw socket: status, headers, and the body as text. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Reads HTTP/1.1 responses (Content-Length framed) off one socket as they arrive, and notes
 * when the server closes it.
 */
function responseReader(socket: Socket) {
  let buffer = Buffer.alloc(0);
  const responses: RawResponse[] = [];
  let closed = false;
  let error: string | null = null;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffer.length < end + 4 + length) break;
      responses.push({
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: buffer.subarray(end + 4, end + 4 + length).toString('utf8'),
      });
      buffer = buffer.subarray(end + 4 + length);
    }
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = e.code ?? e.message;
  });
  return {
    responses,
    get closed() {
      return closed;
    },
    /** The socket's error (ECONNRESET when the server reset the connection), else null. */
    get error() {
      return error;
    },
    /** Resolves once `n` responses arrived or the socket closed, or after `ms`. */
    async wait(n: number, ms = 3000): Promise<void> {
      const deadline = Date.now() + ms;
      while (responses.length < n && !closed && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.max(1, deadline - Date.now())).unref();
        });
      }
    },
    /** Resolves once the server closed the socket, or after `ms`. */
    async waitClosed(ms = 3000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const oversizedTicket = Buffer.from(JSON.stringify({ project: 1, title: 'x'.repeat(1024 * 1024) }));
const request = (method: string, path: string, body?: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n` +
        (body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '') +
        '\r\n',
    ),
    body ?? Buffer.alloc(0),
  ]);

describe('issue 14 row 3: keep-alive after 413', () => {
  it('row 3: after a 413 for a 1 MB title, the next request on the socket is answered, or the 413 said Connection: close', async () => {
    const socket = await open();
    const reader = responseReader(socket);
    try {
      // The whole oversized request at once, as a client that does not wait for a 100-continue.
      socket.write(request('POST', '/api/tickets/tickets/', oversizedTicket));
      await reader.wait(1);
      const first = reader.responses[0];
      expect(first?.status).toBe(413);
      expect(JSON.parse(first!.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      const closing = first!.headers.connection?.toLowerCase() === 'close';
      if (closing) {
        // Said so: the server must then close the socket itself, cleanly and soon.
        await reader.waitClosed();
        expect(reader.closed).toBe(true);
        expect(reader.error).toBeNull();
        return;
      }
      // Kept alive: the server must answer what comes next on the same socket. Wait past
      // the framework's 500 ms drain timeout first, as a client reusing a pooled socket would.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(reader.closed, 'the server closed a socket it had announced as keep-alive').toBe(false);
      socket.write(request('GET', '/api/tickets/auth/setup/'));
      await reader.wait(2);
      expect(reader.responses[1]?.status).toBe(200);
    } finally {
      socket.destroy();
    }
  });

  it('row 3: a 413 sent while the client is still uploading closes the socket cleanly after the answer', async () => {
    const socket = await open();
    const reader = responseReader(socket);
    try {
      // Headers and only the first part of the body: the server answers before it has it all.
      const whole = request('POST', '/api/tickets/tickets/', oversizedTicket);
      const head = whole.indexOf('\r\n\r\n') + 4;
      socket.write(whole.subarray(0, head + 64 * 1024));
      // Announced 1 MB: the server may answer 413 from Content-Length before reading any more.
      await reader.wait(1);
      expect(reader.responses[0]?.status).toBe(413);
      const closing = reader.responses[0]!.headers.connection?.toLowerCase() === 'close';
      if (!closing) {
        socket.write(whole.subarray(head + 64 * 1024));
        socket.write(request('GET', '/api/tickets/auth/setup/'));
        await reader.wait(2);
        expect(reader.responses[1]?.status).toBe(200);
      } else {
        // The client goes on uploading, as curl or a browser would: the server reads the rest
        // and closes without a reset, so the client keeps the answer.
        socket.write(whole.subarray(head + 64 * 1024));
        await reader.waitClosed();
        expect(reader.closed).toBe(true);
        expect(reader.error).toBeNull();
      }
    } finally {
      socket.destroy();
    }
  });

  it('row 3: an answer given after the body was read keeps the connection alive', async () => {
    const socket = await open();
    const reader = responseReader(socket);
    try {
      // A small body the route reads (and refuses: nobody signed in), then another request.
      socket.write(request('POST', '/api/tickets/auth/login/', Buffer.from('{"username":"x","password":"y"}')));
      await reader.wait(1);
      expect(reader.responses[0]?.status).toBe(401);
      expect(reader.responses[0]!.headers.connection).toBe('keep-alive');
      await new Promise((resolve) => setTimeout(resolve, 800));
      socket.write(request('GET', '/api/tickets/auth/setup/'));
      await reader.wait(2);
      expect(reader.responses[1]?.status).toBe(200);
    } finally {
      socket.destroy();
    }
  });
});
