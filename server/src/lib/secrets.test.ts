import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecrets, DEV_SECRET_FILE, resolveSecretKey } from './secrets.ts';

const KEY = 'a test secret key that is long enough';

describe('secrets', () => {
  it('round-trips a value and never stores it in the clear', () => {
    const s = createSecrets(KEY);
    const box = s.encrypt('mailbox-password', 'hunter2 ü');
    expect(box).not.toContain('hunter2');
    expect(s.decrypt('mailbox-password', box)).toBe('hunter2 ü');
    expect(s.encrypt('mailbox-password', 'hunter2 ü')).not.toBe(box);
  });

  it('refuses a box under another purpose, another key, or altered (misfiled or tampered secrets)', () => {
    const s = createSecrets(KEY);
    const box = s.encrypt('mailbox-password', 'hunter2');
    expect(() => s.decrypt('other', box)).toThrow();
    expect(() => createSecrets(`${KEY}!`).decrypt('mailbox-password', box)).toThrow();
    const parts = box.split('.');
    parts[3] = Buffer.from('hunter3').toString('base64url');
    expect(() => s.decrypt('mailbox-password', parts.join('.'))).toThrow();
    expect(() => s.decrypt('mailbox-password', 'plain text')).toThrow('Not an encrypted value');
  });

  it('derives a different HMAC key per purpose', () => {
    const s = createSecrets(KEY);
    expect(s.hmac('a', 'x')).toBe(createSecrets(KEY).hmac('a', 'x'));
    expect(s.hmac('a', 'x')).not.toBe(s.hmac('b', 'x'));
    expect(s.hmac('a', 'x')).not.toBe(createSecrets(`${KEY}!`).hmac('a', 'x'));
  });

  it('refuses a short key', () => {
    expect(() => createSecrets('short')).toThrow(/at least 32/);
  });

  it('generates a development key once under DATA_DIR and keeps it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'laneway-secret-'));
    const first = await resolveSecretKey(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await resolveSecretKey(undefined, dir)).toBe(first);
    expect((await readFile(path.join(dir, DEV_SECRET_FILE), 'utf8')).trim()).toBe(first);
    expect((await stat(path.join(dir, DEV_SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(await resolveSecretKey(KEY, dir)).toBe(KEY);
  });
});
