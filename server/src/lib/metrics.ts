/**
 * Prometheus metrics (prom-client), one registry per runtime so that tests can build many apps
 * in one process. Served at `/metrics` to a superuser's Bearer token or `Bearer $METRICS_TOKEN`.
 */
import type { Executor } from '@laneway/db/client';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(db: Executor) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'laneway_' });
  const make = {
    counter: (name: string, help: string, labelNames: string[] = []) =>
      new Counter({ name, help, labelNames, registers: [registry] }),
  };
  return {
    registry,
    httpDuration: new Histogram({
      name: 'laneway_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      // From a cached board read (about 1 ms) to a slow upload.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    openSockets: new Gauge({
      name: 'laneway_ws_open_sockets',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    eventsPublished: make.counter('laneway_events_published_total', 'Events handed to the bus after commit', ['kind']),
    messagesSent: make.counter(
      'laneway_ws_messages_sent_total',
      'WebSocket messages written to sockets (events and answers)',
    ),
    busReconnects: make.counter(
      'laneway_bus_reconnects_total',
      'Redis subscriber reconnects (each triggers a catch-up)',
    ),
    jobs: make.counter('laneway_jobs_total', 'Background jobs run, by task and outcome', ['task', 'outcome']),
    webhookAttempts: make.counter('laneway_webhook_attempts_total', 'Webhook delivery attempts by outcome', [
      'outcome',
    ]),
    queueDepth: new Gauge({
      name: 'laneway_job_queue_depth',
      help: 'Jobs waiting to run now (due and not locked)',
      registers: [registry],
      async collect() {
        const [row] = await db.execute<{ n: number }>(sql`
          select count(*)::int as n from graphile_worker.jobs where run_at <= now() and locked_at is null`);
        this.set(row?.n ?? 0);
      },
    }),
  };
}
