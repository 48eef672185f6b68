import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

/** A complete 1×1 PNG: signature, IHDR, IDAT, IEND. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function form(bytes: BlobPart, filename: string, type = 'application/octet-stream', field = 'file') {
  const data = new FormData();
  data.append(field, new File([bytes], filename, { type }));
  return data;
}

async function upload(app: TestApp, ticket: number, token: string, data: FormData) {
  return app.post(`/tickets/${ticket}/attachments/`, data, { token });
}

/** The download with its raw bytes (the harness reads bodies as text, which would mangle binary). */
async function download(app: TestApp, id: number, token: string) {
  const res = await app.app.request(
    `http://laneway.test/api/tickets/attachments/${id}/download/`,
    { headers: { authorization: `Bearer ${token}` } },
    { incoming: { socket: { remoteAddress: '127.0.0.1', remoteFamily: 'IPv4' } } },
  );
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function storedFiles(app: TestApp): Promise<string[]> {
  return readdir(app.runtime.deps.config.uploadDir).catch(() => []);
}

describe('upload and download', () => {
  it('sniffs a PNG from its bytes although the client says text/html, and serves it back exactly', async () => {
    const res = await upload(t, w.userTicket, w.tokens.user, form(PNG, 'pixel.png', 'text/html'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      ticket: w.userTicket,
      uploader: w.ids.user,
      filename: 'pixel.png',
      content_type: 'image/png',
      size: PNG.length,
      sha256: sha256(PNG),
      created_at: expect.any(String),
      download_url: `/api/tickets/attachments/${res.body.id}/download/`,
    });
    const got = await download(t, res.body.id, w.tokens.manager);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(sha256(got.bytes)).toBe(res.body.sha256);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-length')).toBe(String(PNG.length));
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="pixel.png"; filename*=UTF-8''pixel.png`);
    // Stored under a random key, not the client's name, with the same bytes.
    const [row] = await t.sql<{ storage_key: string }[]>`select storage_key from attachments where id = ${res.body.id}`;
    expect(row!.storage_key).toMatch(/^[0-9a-f-]{36}$/);
    const onDisk = await readFile(path.join(t.runtime.deps.config.uploadDir, row!.storage_key));
    expect(onDisk.equals(PNG)).toBe(true);
  });

  it('stores a text file declared as image/png as text/plain, and binary junk as octet-stream', async () => {
    const text = await upload(
      t,
      w.userTicket,
      w.tokens.user,
      form('not a picture\nreally, héllo\n', 'x.png', 'image/png'),
    );
    expect(text.status).toBe(201);
    expect(text.body.content_type).toBe('text/plain');
    const junk = Buffer.from([0x00, 0x13, 0x37, 0xff, 0xfe, 0x00, 0x42]);
    const bin = await upload(t, w.userTicket, w.tokens.user, form(junk, 'data.bin', 'text/plain'));
    expect(bin.status).toBe(201);
    expect(bin.body.content_type).toBe('application/octet-stream');
    const html = await upload(t, w.userTicket, w.tokens.user, form('<script>alert(1)</script>', 'x.html', 'text/html'));
    expect(html.body.content_type).toBe('text/plain');
    const got = await download(t, html.body.id, w.tokens.user);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('cleans the file name: no path parts, no control characters; quotes escaped in the header', async () => {
    const res = await upload(t, w.userTicket, w.tokens.user, form('hi', '../../etc/passwd\u202egpj.txt'));
    expect(res.status).toBe(201);
    expect(res.body.filename).toBe('passwdgpj.txt');
    // A raw control character in a part header is malformed multipart, refused by the parser.
    const raw = await upload(t, w.userTicket, w.tokens.user, form('hi', 'bell\u0007.txt'));
    expect(raw.status).toBe(400);
    const unicode = await upload(t, w.userTicket, w.tokens.user, form('hi', 'résumé 2026.txt'));
    expect(unicode.body.filename).toBe('résumé 2026.txt');
    const u = await download(t, unicode.body.id, w.tokens.user);
    expect(u.headers.get('content-disposition')).toBe(
      `attachment; filename="r_sum_ 2026.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.txt`,
    );
    // FormData percent-encodes quotes, so send a hand-made form with an RFC 5987 name that
    // carries path parts, quotes and (encoded) control characters.
    const boundary = 'laneway-test-boundary';
    const body =
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename*=UTF-8''..%2F..%2Fsay%20%22hi%22%3B%07%09.txt\r\n` +
      `Content-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const quoted = await t.request('POST', `/tickets/${w.userTicket}/attachments/`, {
      token: w.tokens.user,
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(201);
    expect(quoted.body.filename).toBe('say "hi";.txt');
    const q = await download(t, quoted.body.id, w.tokens.user);
    expect(q.headers.get('content-disposition')).toBe(
      `attachment; filename="say \\"hi\\";.txt"; filename*=UTF-8''say%20%22hi%22%3B.txt`,
    );
  });

  it('lists a ticket’s attachments in upload order, paginated', async () => {
    const ticket = (await t.post('/tickets/', { project: w.projectId, title: 'Files' }, { token: w.tokens.admin })).body
      .id;
    const a = await upload(t, ticket, w.tokens.admin, form('a', 'a.txt'));
    const b = await upload(t, ticket, w.tokens.admin, form('b', 'b.txt'));
    const list = await t.get(`/tickets/${ticket}/attachments/?page_size=1`, { token: w.tokens.manager });
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(2);
    expect(list.body.results).toEqual([a.body]);
    expect(list.body.next).toContain('page=2');
    const all = await t.get(`/tickets/${ticket}/attachments/`, { token: w.tokens.manager });
    expect(all.body.results.map((x: any) => x.id)).toEqual([a.body.id, b.body.id]);
  });

  it('records attachment.created and attachment.deleted', async () => {
    const ticket = (await t.post('/tickets/', { project: w.projectId, title: 'Log' }, { token: w.tokens.admin })).body
      .id;
    const res = await upload(t, ticket, w.tokens.admin, form(PNG, 'p.png'));
    await t.del(`/attachments/${res.body.id}/`, { token: w.tokens.admin });
    const rows = await t.sql<{ verb: string; data: any }[]>`
      select verb, data from activity where ticket_id = ${ticket} order by id`;
    expect(rows.map((r) => r.verb)).toEqual(['ticket.created', 'attachment.created', 'attachment.deleted']);
    expect(rows[1]!.data).toMatchObject({ attachment: res.body.id, filename: 'p.png', content_type: 'image/png' });
    const [event] = await t.sql<{ payload: any }[]>`
      select payload from events where type = 'attachment.created' and (payload->>'id')::int = ${res.body.id}`;
    expect(event!.payload).toEqual(res.body);
  });
});

describe('refusals', () => {
  it('answers 415 to a body that is not multipart', async () => {
    const res = await t.post(`/tickets/${w.userTicket}/attachments/`, { file: 'aGVsbG8=' }, { token: w.tokens.user });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    const none = await t.request('POST', `/tickets/${w.userTicket}/attachments/`, { token: w.tokens.user });
    expect(none.status).toBe(415);
  });

  it('answers 400 without a file, with an empty file, with the wrong field or two files', async () => {
    const before = await t.sql`select id from attachments`;
    const noFile = new FormData();
    noFile.append('note', 'where is it?');
    const cases: [string, FormData][] = [
      ['no file', noFile],
      ['empty', form('', 'empty.txt')],
      ['wrong field', form('hi', 'x.txt', 'text/plain', 'upload')],
    ];
    const two = form('one', 'one.txt');
    two.append('file', new File(['two'], 'two.txt'));
    cases.push(['two files', two]);
    for (const [name, data] of cases) {
      const res = await upload(t, w.userTicket, w.tokens.user, data);
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe('validation_error');
    }
    const broken = await t.request('POST', `/tickets/${w.userTicket}/attachments/`, {
      token: w.tokens.user,
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\ncut off',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(broken.status).toBe(400);
    const after = await t.sql`select id from attachments`;
    expect(after.length).toBe(before.length);
    expect((await storedFiles(t)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('enforces MAX_UPLOAD_MB with a 413, leaving no file and no row', async () => {
    const small = await createTestApp({ MAX_UPLOAD_MB: '1' });
    try {
      const sw = await buildWorld(small);
      const limit = 1024 * 1024;
      const big = Buffer.alloc(limit * 1.5, 0x61);
      const res = await upload(small, sw.userTicket, sw.tokens.user, form(big, 'big.txt', 'text/plain'));
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(await storedFiles(small)).toEqual([]);
      expect(await small.sql`select id from attachments`).toHaveLength(0);
      // A declared length far past the limit is refused before the body is read.
      const declared = await small.request('POST', `/tickets/${sw.userTicket}/attachments/`, {
        token: sw.tokens.user,
        body: 'x',
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(10 * limit) },
      });
      expect(declared.status).toBe(413);
      // Exactly the limit is allowed.
      const exact = await upload(small, sw.userTicket, sw.tokens.user, form(Buffer.alloc(limit, 0x62), 'max.txt'));
      expect(exact.status).toBe(201);
      expect(exact.body.size).toBe(limit);
      expect(await storedFiles(small)).toHaveLength(1);
    } finally {
      await small.close();
    }
  });
  it('removes the stored file when the row cannot be written', async () => {
    const before = await storedFiles(t);
    await t.sql.unsafe(`create function refuse_attachment() returns trigger language plpgsql as
      $$ begin raise exception 'refused for the test'; end $$`);
    await t.sql.unsafe(`create trigger refuse_attachment before insert on attachments
      for each row execute function refuse_attachment()`);
    try {
      const res = await upload(t, w.userTicket, w.tokens.user, form(PNG, 'doomed.png'));
      expect(res.status).toBe(500);
      expect(await storedFiles(t)).toEqual(before);
    } finally {
      await t.sql.unsafe('drop trigger refuse_attachment on attachments; drop function refuse_attachment()');
    }
  });
});

describe('security', () => {
  it('company people upload to and read their own company tickets only', async () => {
    const own = await upload(t, w.companyATicket, w.tokens.companyUser, form(PNG, 'screenshot.png'));
    expect(own.status).toBe(201);
    const got = await download(t, own.body.id, w.tokens.companyAdmin);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PNG)).toBe(true);
    const other = w.tokens.otherCompanyUser;
    expect((await t.get(`/tickets/${w.companyATicket}/attachments/`, { token: other })).status).toBe(404);
    expect((await upload(t, w.companyATicket, other, form('x', 'x.txt'))).status).toBe(404);
    expect((await download(t, own.body.id, other)).status).toBe(404);
    expect((await t.del(`/attachments/${own.body.id}/`, { token: other })).status).toBe(404);
    expect((await download(t, own.body.id, w.tokens.outsider)).status).toBe(404);
    expect((await t.get(`/tickets/${w.companyBTicket}/attachments/`, { token: w.tokens.companyUser })).status).toBe(
      404,
    );
    expect((await upload(t, w.companyBTicket, w.tokens.companyUser, form('x', 'x.txt'))).status).toBe(404);
    const anonymous = await t.app.request(`http://laneway.test/api/tickets/attachments/${own.body.id}/download/`);
    expect(anonymous.status).toBe(401);
  });

  it('uploaders and admins delete (the file goes too); others may not', async () => {
    const mine = await upload(t, w.userTicket, w.tokens.user, form('mine', 'mine.txt'));
    const admins = await upload(t, w.userTicket, w.tokens.admin, form('admins', 'admins.txt'));
    expect((await t.del(`/attachments/${admins.body.id}/`, { token: w.tokens.user })).status).toBe(403);
    expect((await t.del(`/attachments/${mine.body.id}/`, { token: w.tokens.manager })).status).toBe(403);
    const [row] = await t.sql<
      { storage_key: string }[]
    >`select storage_key from attachments where id = ${mine.body.id}`;
    expect(await storedFiles(t)).toContain(row!.storage_key);
    expect((await t.del(`/attachments/${mine.body.id}/`, { token: w.tokens.user })).status).toBe(204);
    expect(await storedFiles(t)).not.toContain(row!.storage_key);
    expect((await download(t, mine.body.id, w.tokens.user)).status).toBe(404);
    expect((await t.del(`/attachments/${mine.body.id}/`, { token: w.tokens.user })).status).toBe(404);
    expect((await t.del(`/attachments/${admins.body.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
  });

  it('documents the upload as multipart/form-data in OpenAPI', async () => {
    const doc = await t.get('//api/openapi.json');
    const op = doc.body.paths['/api/tickets/tickets/{id}/attachments'].post;
    expect(op.requestBody.content['multipart/form-data'].schema.properties.file).toEqual({
      type: 'string',
      format: 'binary',
    });
  });
});
