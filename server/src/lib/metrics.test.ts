import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { startWorker } from '../../../workers/src/worker.ts';

const METRICS_TOKEN = 'scraper-token-0123456789';
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN, WORKER_MODE: 'off' });
  w = await buildWorld(t);
});
afterAll(() => t.close());

const scrape = (token?: string) => t.get('//metrics', token ? { token } : {});

/** The value of one sample line, e.g. `laneway_ws_open_sockets` or `name{label="x"}`. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe('/metrics', () => {
  it('answers only the metrics token or a superuser', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-0123456789')).status).toBe(401);
    expect((await scrape(w.tokens.superadmin)).status).toBe(401);
    const bySuperuser = await scrape(w.tokens.superuser);
    expect(bySuperuser.status).toBe(200);
    expect(bySuperuser.headers.get('content-type')).toContain('text/plain');
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
  });

  it('counts requests by route pattern, published events, open sockets, queue depth and jobs', async () => {
    const move = await t.post(
      `/tickets/${w.otherTicket}/move/`,
      { column: w.columns[1]!.id },
      { token: w.tokens.admin },
    );
    expect(move.status).toBe(200);
    const served = await listenRealtime(t);
    const socket = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${w.tokens.admin}` });
    await socket.next((m) => m.type === 'ready');
    await t.sql`select graphile_worker.add_job('cleanup', '{}'::json)`;
    let text = (await scrape(METRICS_TOKEN)).body as string;
    expect(
      sample(
        text,
        'laneway_http_request_duration_seconds_count{method="POST",route="/api/tickets/tickets/:id/move",status="200"}',
      ),
    ).toBe(1);
    expect(sample(text, 'laneway_events_published_total{kind="ticket"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'laneway_ws_open_sockets')).toBe(1);
    expect(sample(text, 'laneway_ws_messages_sent_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'laneway_job_queue_depth')).toBe(1);
    socket.ws.close();
    await socket.closed;
    await served.close();
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 50, crontab: null });
    try {
      const deadline = Date.now() + 10_000;
      while ((await t.sql`select 1 from graphile_worker.jobs`).length) {
        if (Date.now() > deadline) throw new Error('job did not run');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await worker.stop();
    }
    text = (await scrape(METRICS_TOKEN)).body as string;
    expect(sample(text, 'laneway_jobs_total{task="cleanup",outcome="success"}')).toBe(1);
    expect(sample(text, 'laneway_job_queue_depth')).toBe(0);
    expect(sample(text, 'laneway_ws_open_sockets')).toBe(0);
  });
});
