/**
 * Issue 14 deliverable 5, faults the server must ride out: a full disk under UPLOAD_DIR (507,
 * no partial file), on a 1 MB tmpfs this test mounts (the tests run as root) and unmounts.
 *
 * PostgreSQL restarted under load is in faults-postgres.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { expectStatus } from '../../test/routes.ts';

describe('issue 14 faults: disk full on UPLOAD_DIR', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'laneway-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    t = await createTestApp({ UPLOAD_DIR: dir });
  });
  afterAll(async () => {
    await t.close();
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 507 with no partial file when the disk fills during an upload, and takes the next that fits', async () => {
    const owner = { username: 'owner', email: 'owner@example.com', password: 'the owner password 1' };
    const token = expectStatus(await t.post('/auth/register/', owner), 201, 'register').body.access;
    const project = expectStatus(await t.post('/projects/', { name: 'Disk', key: 'DSK' }, { token }), 201, 'p').body.id;
    const ticket = expectStatus(await t.post('/tickets/', { project, title: 'Full' }, { token }), 201, 't').body.id;
    const upload = (bytes: number) => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(bytes, 'a')], { type: 'text/plain' }), 'big.txt');
      return t.post(`/tickets/${ticket}/attachments/`, form, { token });
    };
    const full = await upload(2 * 1024 * 1024);
    expect(full.status).toBe(507);
    expect(full.body.error.code).toBe('insufficient_storage');
    expect(await readdir(dir)).toEqual([]);
    expect(await t.sql`select id from attachments`).toHaveLength(0);
    const fits = await upload(100 * 1024);
    expect(fits.status).toBe(201);
    expect(await readdir(dir)).toHaveLength(1);
  });
});
