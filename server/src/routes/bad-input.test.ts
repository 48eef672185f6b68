/**
 * Bad input never breaks the server: every operation of the app's own OpenAPI document gets
 * (fast-check) malformed path ids, junk query strings and junk bodies (wrong types, invalid
 * JSON, deep nesting, huge strings, prototype-pollution keys, wrong content types, no body),
 * and also well-formed requests with odd values of the right types (NUL, lone surrogates, edge
 * integers, ids that do not exist) that get past validation into the services. Each is sent as
 * the instance superuser and as a regular member; every answer must be below 500, every 4xx in
 * the error envelope, and no signed-in request may come back 401 (a dead token tests nothing).
 *
 * Reproduce a failure with the seed it prints: `FC_SEED=<seed> npx vitest run <this file>`;
 * `FC_RUNS=<n>` runs more samples per operation; `BAD_INPUT_STATS=1` prints the statuses seen.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestResponse } from '../../../test/harness.ts';
import { importForm, pngUpload } from '../../../test/permission-matrix.ts';
import {
  deref,
  expectStatus,
  isErrorEnvelope,
  mintToken,
  openApiDocument,
  operationsOf,
  routeKey,
  type Operation,
} from '../../../test/routes.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { startWorker, type RunningWorker } from '../../../workers/src/worker.ts';

const BASE_SEED = Number(process.env.FC_SEED ?? 20_260_415);
const RUNS = Number(process.env.FC_RUNS ?? 25);
/** Who sends every generated request. */
const SENDERS = ['superuser', 'user'] as const;
/** Routes that end the caller's sessions: they are sent with a throw-away session. */
const SESSION_ENDING = new Set([
  'POST /api/tickets/auth/logout',
  'POST /api/tickets/auth/logout-all',
  'POST /api/tickets/auth/password',
]);

// Built while the file is collected: one test per operation needs the document up front.
const t: TestApp = await createTestApp();
const doc: any = await openApiDocument(t);
const OPERATIONS = operationsOf(doc);

let w: World;
let bystander: number;
/** A real worker, so /ready is ready (its heartbeat) and queued jobs run as they would. */
let worker: RunningWorker;
/** Real ids by the path segment that precedes a parameter (`tickets` in `/tickets/{id}`). */
let realIds: Record<string, number[]>;

beforeAll(async () => {
  worker = await startWorker(t.runtime.deps, { concurrency: 1, crontab: null });
  w = await buildWorld(t);
  const su = { token: w.tokens.superuser };
  const spare = await t.post(
    '/users/',
    { username: 'bystander', email: 'bystander@example.com', password: 'bystander password' },
    su,
  );
  bystander = expectStatus(spare, 201, 'bystander').body.id;
  const contact = await t.post('/contacts/', { name: 'Junk target', company: w.companyA }, su);
  const comment = await t.post(`/tickets/${w.userTicket}/comments/`, { body: 'Junk target' }, { token: w.tokens.user });
  const upload = await t.post(`/tickets/${w.userTicket}/attachments/`, pngUpload(), { token: w.tokens.user });
  const item = await t.post(`/tickets/${w.userTicket}/checklist/`, { text: 'Junk target' }, { token: w.tokens.user });
  const relation = await t.post(
    `/tickets/${w.userTicket}/relations/`,
    { kind: 'relates', ticket: w.otherTicket },
    { token: w.tokens.admin },
  );
  const entry = await t.post(`/tickets/${w.userTicket}/time/`, { minutes: 5 }, { token: w.tokens.user });
  const target = await t.post(
    `/projects/${w.projectId}/sla/`,
    { first_response_minutes: 60, resolution_minutes: 600 },
    { token: w.tokens.superadmin },
  );
  const field = await t.post(
    `/projects/${w.projectId}/fields/`,
    { name: 'Junk target', type: 'select', options: [{ label: 'a' }] },
    { token: w.tokens.superadmin },
  );
  const queued = await t.post('/projects/import/', importForm(), { token: w.tokens.user });
  realIds = {
    imports: queued.status === 202 ? [queued.body.id] : [],
    tickets: [w.userTicket, w.companyATicket],
    projects: [w.projectId],
    // Never an actor: a junk body that happens to be valid must not deactivate a sender.
    users: [bystander],
    members: [bystander, w.ids.user],
    companies: [w.companyA],
    contacts: contact.status === 201 ? [contact.body.id] : [],
    columns: w.columns.map((c) => c.id),
    tags: [w.tagId],
    comments: comment.status === 201 ? [comment.body.id] : [],
    attachments: upload.status === 201 ? [upload.body.id] : [],
    fields: field.status === 201 ? [field.body.id] : [],
    'checklist-items': item.status === 201 ? [item.body.id] : [],
    relations: relation.status === 201 ? [relation.body.id] : [],
    'time-entries': entry.status === 201 ? [entry.body.id] : [],
    sla: target.status === 201 ? [target.body.id] : [],
  };
});
afterAll(async () => {
  await worker.stop();
  await t.close();
});

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const MAX_ID = 2_147_483_647;
/** encodeURIComponent, which throws on a lone surrogate: those go as U+FFFD. */
const encode = (text: string) => encodeURIComponent(text.toWellFormed());
/** What `z.coerce.number()` would turn into a usable id: such strings are not malformed. */
const isValidId = (s: string) => {
  const n = Number(s);
  return Number.isInteger(n) && n >= 1 && n <= MAX_ID;
};

/** Path segments sent as they are (already "encoded", or deliberately broken encodings). */
const rawSegment = fc.constantFrom(
  '%00',
  '%',
  '%zz',
  '%2F',
  '%2e%2e',
  '%C0%AE',
  '%E0%A4%A',
  '%FF',
  '%u0041',
  '.',
  '..',
);

/** A malformed id, URL-encoded unless it is one of the raw oddities. */
const badId: fc.Arbitrary<string> = fc.oneof(
  rawSegment,
  fc
    .oneof(
      fc.constantFrom(
        '0',
        '-0',
        '-1',
        '1.5',
        '2147483648',
        '99999999999999999999999',
        '1e309',
        '-1e309',
        'NaN',
        'Infinity',
        'null',
        'undefined',
        'true',
        '[]',
        '{}',
        '',
        ' ',
        '\u0000',
        '１',
        '٣',
        '1 OR 1=1',
        "1'; drop table tickets; --",
        '__proto__',
        'constructor',
      ),
      fc.integer({ min: -(2 ** 53), max: 0 }).map(String),
      fc.bigInt({ min: 2n ** 31n, max: 10n ** 40n }).map(String),
      fc.double({ noDefaultInfinity: false }).map(String),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.integer({ min: 1000, max: 8000 }).map((n) => 'x'.repeat(n)),
    )
    .filter((s) => !isValidId(s))
    .map(encode),
);

/** Strings that have broken servers: NUL, lone surrogates, LIKE wildcards, quotes, case folds. */
const nastyText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '%',
  '_',
  '\\',
  "'",
  '"',
  '%00',
  '-',
  ',',
  '__proto__',
  'constructor',
  'null',
  '[]',
  '{}',
  '\u202egnp.exe',
  'İ',
  'ß',
  '💥'.repeat(50),
);

const junkText = fc.oneof(
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 50 }) },
);

const junkNumberText = fc.oneof(
  fc.constantFrom('-1', '0', '-0', '1.5', '1e400', '99999999999999999999', 'NaN', 'Infinity', '0x10', '1,2', ''),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(String),
);

const orderingJunk = fc.oneof(
  fc.constantFrom(
    '-',
    '--created_at',
    ',',
    ',,,',
    'created_at,',
    '-nope',
    'password_hash',
    'id;drop',
    ' created_at',
    'created_at desc',
  ),
  fc
    .array(fc.oneof(junkText, fc.constantFrom('created_at', '-updated_at', 'priority_id', 'number')), { maxLength: 6 })
    .map((a) => a.join(',')),
);

/** A query string (with its `?`, or empty) of junk for this operation's parameters and others. */
function junkQuery(op: Operation): fc.Arbitrary<string> {
  const known = op.queryParams.map((p) => p.name);
  const key = fc.oneof(
    ...(known.length ? [fc.constantFrom(...known)] : []),
    fc.constantFrom('page', 'page_size', 'ordering', 'search', 'project', '__proto__', 'constructor', 'a[b]', 'page[]'),
    junkText,
  );
  const value = fc.oneof(
    junkText,
    junkNumberText,
    orderingJunk,
    fc.integer({ min: 300, max: 3000 }).map((n) => 'q'.repeat(n)),
  );
  const pairs = fc.array(fc.tuple(key, value), { maxLength: 8 });
  const rawTail = fc.constantFrom(
    '',
    '',
    '',
    '&&&',
    '&=',
    '=&=',
    '%',
    '%zz',
    '&page=1&page=2',
    '&page_size=-1',
    '&page=99999999999999999999',
  );
  return fc.tuple(pairs, rawTail).map(([kv, tail]) => {
    const text = kv.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&') + tail;
    return text ? `?${text}` : '';
  });
}

/** The JSON types a schema admits (integer counts as number). */
function typesOf(schema: any, depth = 0): Set<string> {
  const s = deref(doc, schema);
  const out = new Set<string>();
  if (!s || typeof s !== 'object' || depth > 5) return out;
  for (const type of [s.type].flat()) if (typeof type === 'string') out.add(type === 'integer' ? 'number' : type);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const sub of s[key] ?? []) for (const type of typesOf(sub, depth + 1)) out.add(type);
  }
  for (const v of s.enum ?? []) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return out;
}

const hugeString = fc.integer({ min: 50_000, max: 250_000 }).map((n) => 'y'.repeat(n));
const junkOfType: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(junkText, hugeString),
  number: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -1, 0, 0.5, MAX_ID + 1),
  ),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.oneof(
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }),
    fc.constant(Array.from({ length: 6000 }, (_, i) => i + 1)),
  ),
  object: fc.dictionary(junkText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
};

/**
 * A value for a field that its schema refuses: another JSON type, or for strings, numbers and
 * arrays the right type with a junk value (never a boolean that happens to be right).
 */
function junkFor(schema: any): fc.Arbitrary<unknown> {
  const allowed = typesOf(schema);
  const wrong = Object.keys(junkOfType).filter((type) => !allowed.has(type));
  const sameTypeJunk = [...allowed].filter((type) => type !== 'boolean' && type !== 'null' && junkOfType[type]);
  const choices = [...wrong, ...sameTypeJunk].map((type) => junkOfType[type]!);
  return choices.length ? fc.oneof(...choices) : fc.jsonValue({ maxDepth: 3 });
}

interface BodySpec {
  contentType: string | null;
  text?: string;
  form?: { field: string; kind: 'string' | 'empty' | 'png' | 'two'; filename: string };
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/vnd.api+json',
  'application/json;;;',
  '*/*',
  'image/png',
];

const invalidJson = fc.constantFrom(
  '{bad',
  '{"a":}',
  '[1,2',
  'undefined',
  'NaN',
  "{'a':1}",
  '{"a":1}garbage',
  '',
  ' ',
  'null',
  'true',
  '"text"',
  '1e999',
  '{"a":1,"a":2}',
  '\u0000',
  '\ufeff{}',
);

const deepJson = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** An object with this operation's own fields (when it has any) holding refused values. */
function wrongFields(op: Operation): fc.Arbitrary<Record<string, unknown>> {
  const props = (deref(doc, op.body?.schema)?.properties ?? {}) as Record<string, any>;
  const names = Object.keys(props);
  if (!names.length) return fc.dictionary(junkText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
  return fc.record(Object.fromEntries(names.map((name) => [name, junkFor(props[name])])), { requiredKeys: [] });
}

/** Prototype-pollution keys, written into the JSON text itself (JSON.stringify would drop them). */
function pollutedJson(op: Operation): fc.Arbitrary<string> {
  return fc
    .tuple(
      wrongFields(op),
      fc.constantFrom(
        '"__proto__":{"is_superuser":true,"isSuperuser":true,"role":"superadmin"}',
        '"constructor":{"prototype":{"isSuperuser":true}}',
        '"__proto__":null',
        '"prototype":{"polluted":1}',
      ),
    )
    .map(([fields, evil]) => {
      const base = JSON.stringify(fields);
      return base === '{}' ? `{${evil}}` : `${base.slice(0, -1)},${evil}}`;
    });
}

/**
 * A value of the schema's own shape and types, with junk where the schema allows it (odd
 * strings, edge integers, ids that do not exist): it passes validation more often than not and
 * so reaches the services and the database.
 */
function shapedValue(schema: any, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (!s || typeof s !== 'object' || depth > 5) return fc.constant(null);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => shapedValue(a, depth + 1)));
  const arbitraries = [s.type].flat().flatMap((type): fc.Arbitrary<unknown>[] => {
    switch (type) {
      case 'string': {
        const max = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 200, 200);
        const min = typeof s.minLength === 'number' ? Math.min(s.minLength, max) : 0;
        return [junkText, fc.string({ unit: 'grapheme', minLength: min, maxLength: max })];
      }
      case 'integer':
      case 'number': {
        const min = typeof s.minimum === 'number' ? s.minimum : -(2 ** 31);
        const max = typeof s.maximum === 'number' ? s.maximum : 2 ** 31;
        const edges = [min, max, 1, 2, 3, 4].filter((n) => n >= min && n <= max);
        return [fc.constantFrom(...edges), fc.integer({ min: Math.max(min, -(2 ** 53)), max: Math.min(max, 2 ** 53) })];
      }
      case 'boolean':
        return [fc.boolean()];
      case 'null':
        return [fc.constant(null)];
      case 'array':
        return [fc.array(shapedValue(s.items ?? {}, depth + 1), { maxLength: 6 })];
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, unknown>;
        const names = Object.keys(props);
        if (!names.length) return [fc.constant({})];
        const required = ((s.required ?? []) as string[]).filter((name) => names.includes(name));
        return [
          fc.record(Object.fromEntries(names.map((name) => [name, shapedValue(props[name], depth + 1)])), {
            requiredKeys: required,
          }),
        ];
      }
      default:
        return [];
    }
  });
  return arbitraries.length ? fc.oneof(...arbitraries) : fc.jsonValue({ maxDepth: 2 });
}

function junkBody(op: Operation): fc.Arbitrary<BodySpec> {
  const json = (text: fc.Arbitrary<string>) =>
    text.map((t): BodySpec => ({ contentType: 'application/json', text: t }));
  const variants: fc.Arbitrary<BodySpec>[] = [
    json(wrongFields(op).map((v) => JSON.stringify(v))),
    json(shapedValue(op.body?.schema ?? {}).map((v) => JSON.stringify(v))),
    json(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))),
    json(invalidJson),
    json(deepJson),
    json(pollutedJson(op)),
    fc.record({
      contentType: fc.constantFrom(...CONTENT_TYPES, null),
      text: fc.oneof(
        invalidJson,
        wrongFields(op).map((v) => JSON.stringify(v)),
      ),
    }),
    fc.constant<BodySpec>({ contentType: 'application/json', text: '' }),
    fc.constant<BodySpec>({ contentType: null }),
  ];
  if (op.body?.mediaType.startsWith('multipart/')) {
    const form = fc.record({
      field: fc.constantFrom('file', 'file', 'files', 'FILE', ''),
      kind: fc.constantFrom<'string' | 'empty' | 'png' | 'two'>('string', 'empty', 'png', 'two'),
      filename: fc.oneof(
        fc.constantFrom('../../etc/passwd', '\u0000.png', 'a'.repeat(2000), '', 'con.png', '.htaccess', '%00.png'),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
      ),
    });
    variants.push(form.map((f): BodySpec => ({ contentType: null, form: f })));
  }
  return fc.oneof(...variants);
}

function buildForm(spec: NonNullable<BodySpec['form']>): FormData {
  const form = new FormData();
  const png = pngUpload().get('file') as Blob;
  if (spec.kind === 'string') form.append(spec.field, 'not a file');
  if (spec.kind === 'empty') form.append(spec.field, new Blob([]), spec.filename);
  if (spec.kind === 'png') form.append(spec.field, png, spec.filename);
  if (spec.kind === 'two') {
    form.append(spec.field, png, spec.filename);
    form.append(spec.field, png, `${spec.filename}2`);
  }
  return form;
}

/**
 * Path parameter values. `bad`: malformed; `valid`: well-formed ids, real ones where a
 * request cannot destroy anything (never for DELETE), else ids that do not exist.
 */
function paramValues(op: Operation, mode: 'bad' | 'valid' | 'mixed'): fc.Arbitrary<string[]> {
  return fc.tuple(
    ...op.pathParams.map((name) => {
      const segments = op.fullPath.split('/');
      const before = segments[segments.indexOf(`{${name}}`) - 1] ?? '';
      const real = op.method === 'DELETE' ? [] : (realIds[before] ?? []);
      const valid = fc.constantFrom(...real.map(String), String(MAX_ID), '2147483646');
      if (mode === 'bad') return badId;
      if (mode === 'valid') return valid;
      return fc.oneof({ weight: 3, arbitrary: badId }, { weight: 2, arbitrary: valid });
    }),
  );
}

/** A query string of the operation's own parameters with values of their own types. */
function shapedQuery(op: Operation): fc.Arbitrary<string> {
  if (!op.queryParams.length) return fc.constant('');
  const fields = Object.fromEntries(op.queryParams.map((p) => [p.name, shapedValue(p.schema)]));
  const requiredKeys = op.queryParams.filter((p) => p.required).map((p) => p.name);
  return fc.record(fields, { requiredKeys }).map((values) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined && value !== null)
        query.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const text = query.toString();
    return text ? `?${text}` : '';
  });
}

/** A body of the operation's own shape (JSON), or a plausible upload (multipart). */
function shapedBody(op: Operation): fc.Arbitrary<BodySpec | null> {
  if (!op.body) return fc.constant(null);
  if (op.body.mediaType.startsWith('multipart/')) {
    return fc
      .string({ unit: 'grapheme', maxLength: 60 })
      .map((filename): BodySpec => ({ contentType: null, form: { field: 'file', kind: 'png', filename } }));
  }
  return shapedValue(op.body.schema).map((v): BodySpec => ({
    contentType: 'application/json',
    text: JSON.stringify(v),
  }));
}

interface Sample {
  params: string[];
  query: string;
  body: BodySpec | null;
}

/**
 * Two kinds of sample: junk everywhere (malformed ids, junk query, junk body), and well-formed
 * requests with odd values of the right types, which get past validation into the services.
 */
function samples(op: Operation): fc.Arbitrary<Sample> {
  const hasBody = op.method !== 'GET';
  const junk = fc.record({
    params: paramValues(op, 'mixed'),
    query: fc.oneof(fc.constant(''), junkQuery(op)),
    body: hasBody ? fc.option(junkBody(op), { nil: null, freq: 4 }) : fc.constant(null),
  });
  const shaped = fc.record({
    params: paramValues(op, 'valid'),
    query: shapedQuery(op),
    body: hasBody ? shapedBody(op) : fc.constant(null),
  });
  return fc.oneof({ weight: 3, arbitrary: junk }, { weight: 2, arbitrary: shaped });
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

function fillParams(op: Operation, values: string[]): string {
  let i = 0;
  return op.fullPath.replace(/\{[^}]+\}/g, () => values[i++] ?? '');
}

const preview = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
};

async function send(op: Operation, sample: Sample, sender: (typeof SENDERS)[number]): Promise<TestResponse> {
  const path = fillParams(op, sample.params) + sample.query;
  const token = SESSION_ENDING.has(routeKey(op.method, op.fullPath))
    ? await mintToken(t, w.ids[sender])
    : w.tokens[sender];
  const headers: Record<string, string> = {};
  let body: string | FormData | undefined;
  if (sample.body) {
    if (sample.body.form) body = buildForm(sample.body.form);
    else {
      body = sample.body.text ?? '';
      if (sample.body.contentType !== null) headers['content-type'] = sample.body.contentType;
    }
  }
  const res = await t.request(op.method, `/${path}`, { token, headers, body });
  // Logout-all and a password change end every session of the sender: give the world a new one.
  if (SESSION_ENDING.has(routeKey(op.method, op.fullPath))) w.tokens[sender] = await mintToken(t, w.ids[sender]);
  if (process.env.BAD_INPUT_STATS) (stats[`${op.method} ${op.fullPath}`] ??= []).push(res.status);
  return res;
}

const stats: Record<string, number[]> = {};
afterAll(() => {
  if (!process.env.BAD_INPUT_STATS) return;
  for (const [op, statuses] of Object.entries(stats)) {
    const counts: Record<number, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    console.log(op, JSON.stringify(counts));
  }
});

function check(op: Operation, sample: Sample, sender: string, res: TestResponse) {
  // A 401 on a signed-in route means the sender's token died: the rest would test nothing.
  const envelope = isErrorEnvelope(res.body) || op.htmlStatuses.includes(res.status);
  const ok = res.status < 500 && (res.status < 400 || envelope) && (op.isPublic || res.status !== 401);
  if (!ok) {
    throw new Error(
      `${op.method} ${preview(fillParams(op, sample.params) + sample.query)} as ${sender}` +
        ` [content-type ${sample.body?.contentType ?? 'none'}] body ${preview(sample.body?.text ?? sample.body?.form ?? '')}` +
        ` -> ${res.status} ${preview(res.body)}`,
    );
  }
}

describe('bad input answers < 500 with the error envelope (fast-check)', () => {
  it('covers the routes the app registers', () => {
    expect(OPERATIONS.length).toBeGreaterThan(40);
  });

  OPERATIONS.forEach((op, index) => {
    const seed = BASE_SEED + index;
    it(`${op.method} ${op.fullPath}`, async () => {
      const run = await fc.check(
        fc.asyncProperty(samples(op), async (sample) => {
          for (const sender of SENDERS) check(op, sample, sender, await send(op, sample, sender));
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
      if (run.failed) {
        // check()'s message names the request and its response; the counterexample can be huge.
        const why = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
        throw new Error(
          `${why}\nReproduce: FC_SEED=${BASE_SEED} (seed ${run.seed}, path ${run.counterexamplePath}), ` +
            `counterexample ${preview(run.counterexample)}`,
        );
      }
    });
  });
});

describe('bad input: fixed cases', () => {
  const ticketsUrl = '/tickets/';

  it('malformed JSON is a 400', async () => {
    const res = await t.request('POST', ticketsUrl, {
      token: w.tokens.user,
      body: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(isErrorEnvelope(res.body)).toBe(true);
  });

  it('a 2 MB JSON body is a 413', async () => {
    const res = await t.request('POST', ticketsUrl, {
      token: w.tokens.user,
      body: JSON.stringify({ project: w.projectId, title: 'x', description: 'z'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('a JSON route refuses text/plain with 415, even where every field is optional', async () => {
    for (const [method, path] of [
      ['POST', ticketsUrl],
      ['PATCH', `/tickets/${w.userTicket}/`],
      ['PATCH', '/auth/me/'],
    ] as const) {
      const res = await t.request(method, path, {
        token: w.tokens.user,
        body: JSON.stringify({ project: w.projectId, title: 'Plain' }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status, `${method} ${path}`).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
  });

  it('an empty body on a JSON route is a 400, not a crash', async () => {
    const res = await t.request('POST', ticketsUrl, {
      token: w.tokens.user,
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(isErrorEnvelope(res.body)).toBe(true);
  });

  it('prototype-pollution keys are refused and pollute nothing', async () => {
    const res = await t.request('POST', '/projects/', {
      token: w.tokens.user,
      body: '{"name":"Polluted","key":"POL","__proto__":{"is_superuser":true,"isSuperuser":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).isSuperuser).toBeUndefined();
    expect(({} as Record<string, unknown>).is_superuser).toBeUndefined();
    const me = await t.get('/auth/me/', { token: w.tokens.user });
    expect(me.body.is_superuser).toBe(false);
  });

  it('a 20 000-deep JSON body is a 400', async () => {
    const res = await t.request('POST', ticketsUrl, {
      token: w.tokens.user,
      body: '{"title":'.repeat(20_000) + '1' + '}'.repeat(20_000),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(isErrorEnvelope(res.body)).toBe(true);
  });

  // PostgreSQL text cannot hold U+0000: a NUL that reaches a query must be refused, not crash it.
  it('a NUL in search= is refused or ignored on every list route, never a 500', async () => {
    const lists = OPERATIONS.filter((op) => op.method === 'GET' && op.queryParams.some((p) => p.name === 'search'));
    expect(lists.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const op of lists) {
      for (const search of ['%00', 'a%00b']) {
        const res = await t.get(`/${op.fullPath}?search=${search}`, { token: w.tokens.superuser });
        if (res.status >= 500 || (res.status >= 400 && !isErrorEnvelope(res.body))) {
          failures.push(`GET ${op.fullPath}?search=${search} -> ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a NUL inside an otherwise valid JSON string is refused, never a 500', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/tickets/', { project: w.projectId, title: 'a\u0000b' }, w.tokens.user],
      ['PATCH', `/tickets/${w.userTicket}/`, { description: 'a\u0000b' }, w.tokens.user],
      ['PATCH', '/auth/me/', { name: 'a\u0000b' }, w.tokens.user],
      ['POST', `/tickets/${w.userTicket}/comments/`, { body: 'a\u0000b' }, w.tokens.user],
      ['POST', '/contacts/', { name: 'a\u0000b' }, w.tokens.superuser],
      ['POST', '/companies/', { name: 'a\u0000b', slug: 'nul-co' }, w.tokens.superuser],
      ['POST', '/projects/', { name: 'a\u0000b', key: 'NUL' }, w.tokens.user],
      ['POST', '/tags/', { project: w.projectId, name: 'a\u0000b' }, w.tokens.superadmin],
      ['POST', '/columns/', { project: w.projectId, name: 'a\u0000b' }, w.tokens.superadmin],
    ];
    const failures: string[] = [];
    for (const [method, path, body, token] of cases) {
      const res = await t.request(method, path, { token, body });
      if (res.status >= 500 || (res.status >= 400 && !isErrorEnvelope(res.body))) {
        failures.push(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('ticket keys to resolve: a malformed key or more than 100 is a 400', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `OPS-${i + 1}`).join(',');
    for (const keys of ['OPS-1,ops-2', 'OPS-1%00', 'OPS--1', 'A-1', `${'X'.repeat(11)}-1`, 'OPS-1234567890', tooMany]) {
      const res = await t.get(`/tickets/resolve/?keys=${keys}`, { token: w.tokens.user });
      expect(res.status, keys.slice(0, 40)).toBe(400);
      expect(isErrorEnvelope(res.body)).toBe(true);
    }
  });

  it('an unknown route is a 404 in the envelope', async () => {
    const res = await t.get('/no-such-thing/%00/', { token: w.tokens.user });
    expect(res.status).toBe(404);
    expect(isErrorEnvelope(res.body)).toBe(true);
  });
});
