import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { closeHttpServer, createHttpServer } from '../server/src/http-server.ts';
import { createRealtime } from '../server/src/realtime/server.ts';
import type { TestApp } from './harness.ts';

/** A test client that records every message and can wait for one matching a predicate. */
export async function connectWs(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    messages.push(m);
    for (const w of waiters.splice(0))
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode === 101));
    ws.once('error', () => resolve(false));
  });
  const next = (pred: (m: any) => boolean, ms = 5000) =>
    new Promise<any>((resolve, reject) => {
      const found = messages.find(pred);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`timeout; got ${JSON.stringify(messages)}`)), ms);
      waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  const send = (m: unknown) => ws.send(JSON.stringify(m));
  return { ws, messages, next, send, closed, opened };
}

/** Serves a test app's HTTP and WebSocket endpoints on a free loopback port. */
export async function listenRealtime(t: TestApp) {
  const realtime = createRealtime(t.runtime.deps);
  const server = await createHttpServer(t.app, { realtime });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    realtime,
    async close() {
      realtime.close();
      await closeHttpServer(server);
    },
  };
}
