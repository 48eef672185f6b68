/**
 * `npm run bench:bruteforce`: password guessing against a real Laneway server (issue 14,
 * deliverable 4), in well under a minute. It prints how many guesses reached the password check
 * (each wrong guess that did is a 401; a refused one is a 429 before any hashing), and whether
 * the account's owner still signs in.
 *
 *   spread     200 wrong passwords for one account from 20 addresses (10 each, the addresses at
 *              once), as a botnet would: capped per account (docs/decisions/0020)
 *   parallel   40 wrong passwords for another account from one address, all at once: the budget
 *              is charged before the hash, so exactly LOGIN_MAX_ATTEMPTS_PER_ACCOUNT get through
 *   owner      the first account's owner, after the attack: from the browser they signed in with
 *              before (its known-device cookie), at home and from a new address; and from a new
 *              browser, which the cap slows (429 with Retry-After)
 *
 * The server runs as for the other benchmarks (bench/lib.ts: a fresh bench database, a child
 * process, `NODE_ENV=production`), with the default login limits and TRUST_PROXY_HEADERS, so each
 * request names its client address in `X-Forwarded-For`. The floor each row is measured against
 * is the limit the policy sets. Knobs: BENCH_REDIS_URL (the limiter's counters in Redis),
 * BENCH_DATABASE_URL and BENCH_EMBEDDED as for bench:api. Reported, not asserted: exit code 0.
 */
import os from 'node:os';
import { accountAllowance } from '../server/src/auth/rate-limit.ts';
import { benchScope, fmt, markdownTable, openBenchDatabase, startLaneway } from './lib.ts';

/** The limits the server runs with: the defaults of server/src/env.ts, stated so the floors can be computed. */
const LIMITS = {
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: 10,
  LOGIN_MAX_ATTEMPTS_PER_IP: 100,
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP: 20,
};
const OWNER = { username: 'owner', email: 'owner@bench.test', password: 'the owner password 1' };
const OTHER = { username: 'other', email: 'other@bench.test', password: 'the other password 1' };
const HOUR_MS = 3_600_000;

interface Answer {
  status: number;
  retryAfter: number | null;
  device: string | null;
  body: { access?: string };
}

/** POST /auth/login/ as a client at `ip`, with a device cookie when given. */
async function login(
  base: string,
  body: Record<string, string>,
  ip: string,
  device: string | null = null,
): Promise<Answer> {
  const res = await fetch(`${base}/api/tickets/auth/login/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(device ? { cookie: device } : {}),
    },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers.getSetCookie().find((c) => /^(__Host-)?device=/.test(c));
  const retryAfter = res.headers.get('retry-after');
  return {
    status: res.status,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
    device: setCookie ? setCookie.split(';')[0]! : null,
    body: (await res.json()) as { access?: string },
  };
}

const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

interface Row {
  scenario: string;
  attempts: number;
  reached: number;
  refused: number;
  other: number;
  /** The most guesses one account can get checked in the first hour of such an attack. */
  hourCeiling: number;
  target: string;
  pass: boolean;
}

async function main(): Promise<void> {
  const log = (line: string) => console.error(line);
  const scope = benchScope(log);
  try {
    const started = performance.now();
    const loadBefore = os.loadavg()[0]!;
    const database = scope.ownDatabase(await openBenchDatabase(log));
    log(`database: ${database.label}`);
    const redisUrl = process.env.BENCH_REDIS_URL || undefined;
    const env = Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)]));
    const server = await startLaneway(database.url, { redisUrl, env: { ...env, TRUST_PROXY_HEADERS: 'true' } });
    scope.own(server.child);
    const base = server.url;

    // The owner: the first user (registration is open until one exists), then a second account.
    const registered = await fetch(`${base}/api/tickets/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
      body: JSON.stringify(OWNER),
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    const { access } = (await registered.json()) as { access: string };
    const other = await fetch(`${base}/api/tickets/users/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
      body: JSON.stringify(OTHER),
    });
    if (other.status !== 201) throw new Error(`create user: ${other.status} ${await other.text()}`);
    // The owner's browser has signed in from home before the attack: it holds a device cookie.
    const home = '198.51.100.7';
    const before = await login(base, { username: OWNER.username, password: OWNER.password }, home);
    if (before.status !== 200 || !before.device) throw new Error(`owner's first sign-in: ${before.status}`);
    log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // spread: 20 addresses at once, each trying its 10 guesses one after another.
    let t0 = performance.now();
    const addresses = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 1}`);
    const spread = (
      await Promise.all(
        addresses.map(async (ip) => {
          const mine: Answer[] = [];
          for (let i = 0; i < 10; i++) {
            mine.push(await login(base, { username: OWNER.username, password: `guess ${ip} ${i}` }, ip));
          }
          return mine;
        }),
      )
    ).flat();
    const spreadMs = performance.now() - t0;

    // parallel: 40 guesses from one address, all in flight at once (40 sockets).
    t0 = performance.now();
    const parallel = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(base, { username: OTHER.username, password: `parallel guess ${i}` }, '192.0.2.66'),
      ),
    );
    const parallelMs = performance.now() - t0;

    // The owner after the attack.
    const credentials = { username: OWNER.username, password: OWNER.password };
    const knownHome = await login(base, credentials, home, before.device);
    const knownAway = await login(base, credentials, '198.51.100.99', knownHome.device ?? before.device);
    const newBrowser = await login(base, credentials, '198.51.100.100');

    const allowanceFirstHour = accountAllowance(LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP, HOUR_MS);
    const row = (scenario: string, answers: Answer[], target: string, pass: boolean, hourCeiling: number): Row => ({
      scenario,
      attempts: answers.length,
      reached: count(answers, 401),
      refused: count(answers, 429),
      other: answers.filter((a) => a.status !== 401 && a.status !== 429).length,
      hourCeiling,
      target,
      pass,
    });
    const rows: Row[] = [
      row(
        'spread: 200 guesses, 20 addresses',
        spread,
        `≤ ${LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP} checked`,
        count(spread, 401) <= LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP &&
          count(spread, 429) + count(spread, 401) === 200,
        allowanceFirstHour,
      ),
      row(
        'parallel: 40 at once, 1 address',
        parallel,
        `= ${LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT} checked`,
        count(parallel, 401) === LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT && count(parallel, 429) === 30,
        Math.min(4 * LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT, allowanceFirstHour),
      ),
    ];
    const owner: [string, Answer, string, boolean][] = [
      ['known device, home address', knownHome, '200', knownHome.status === 200],
      ['known device, new address', knownAway, '200', knownAway.status === 200],
      [
        'new browser, new address',
        newBrowser,
        '429 + Retry-After (slowed)',
        newBrowser.status === 429 && (newBrowser.retryAfter ?? 0) > 0,
      ],
    ];
    const loadAfter = os.loadavg()[0]!;
    await scope.cleanup();

    const cpus = os.cpus();
    console.log(
      [
        '',
        '## Laneway brute-force benchmark',
        '',
        `${new Date().toISOString()} · Node ${process.version} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} · ${database.label} · ` +
          `limiter in ${redisUrl ? 'Redis' : 'memory'} · load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
        `limits: ${Object.entries(LIMITS)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
        '',
        markdownTable(
          [
            'scenario',
            'attempts',
            'reached the password check',
            '429',
            'other',
            'most checked per account in the first hour',
            'target',
            'result',
          ],
          rows.map((r) => [
            r.scenario,
            fmt(r.attempts),
            fmt(r.reached),
            fmt(r.refused),
            fmt(r.other),
            fmt(r.hourCeiling),
            r.target,
            r.pass ? 'pass' : '**FAIL**',
          ]),
        ),
        '',
        markdownTable(
          ['the owner signs in after the attack', 'answer', 'Retry-After', 'target', 'result'],
          owner.map(([what, a, target, pass]) => [
            what,
            String(a.status),
            a.retryAfter === null ? '—' : `${fmt(a.retryAfter)} s`,
            target,
            pass ? 'pass' : '**FAIL**',
          ]),
        ),
        '',
        `- spread took ${fmt(spreadMs)} ms, parallel ${fmt(parallelMs)} ms. A 401 is a guess that reached argon2; a 429 is refused before it.`,
        `- "most checked in the first hour": unknown devices get ${LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP} at once, then one more after 1, 3, 7, 15, 31 minutes ` +
          `(${fmt(allowanceFirstHour)} in the first hour, about ${fmt(accountAllowance(LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP, 24 * HOUR_MS))} a day), ` +
          `however many addresses they use; one address also stops at ${LIMITS.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT} per 15 minutes.`,
        `- other statuses seen: ${
          [...spread, ...parallel]
            .filter((a) => a.status !== 401 && a.status !== 429)
            .map((a) => a.status)
            .join(', ') || 'none'
        }`,
      ].join('\n'),
    );
    const failed = [
      ...rows.filter((r) => !r.pass).map((r) => r.scenario),
      ...owner.filter((o) => !o[3]).map((o) => o[0]),
    ];
    console.log(failed.length ? `\nMISSED TARGETS: ${failed.join('; ')}` : '\nAll targets met.');
  } finally {
    await scope.cleanup();
  }
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
