/**
 * The instance's secret for data it must read back (TOTP secrets, docs/decisions/0023):
 * SECRET_KEY when set, else a random key generated once and kept in DATA_DIR/secret-key
 * (mode 0600), so a development instance needs no setup and restarts keep working. Losing the
 * key only locks out 2FA (recovery codes and a superuser reset still work).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../env.ts';

const keys = new Map<string, Promise<Buffer>>();

async function rawSecret(config: Config, warn: (message: string) => void): Promise<string> {
  if (config.SECRET_KEY) return config.SECRET_KEY;
  const file = path.join(config.DATA_DIR, 'secret-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (config.NODE_ENV === 'production') warn(`SECRET_KEY is not set: generated one in ${file}; keep that file`);
  await mkdir(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // `wx`: of two processes starting at once, the second reads the first's key.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return (await readFile(file, 'utf8')).trim();
  }
}

/** A 256-bit key for `purpose`, derived by HKDF-SHA256 from the instance secret. */
export function instanceKey(config: Config, purpose: string, warn: (m: string) => void = () => {}): Promise<Buffer> {
  const id = `${config.SECRET_KEY ? 'env' : config.DATA_DIR}\0${purpose}`;
  let key = keys.get(id);
  if (!key) {
    key = rawSecret(config, warn).then((secret) => Buffer.from(hkdfSync('sha256', secret, 'laneway', purpose, 32)));
    keys.set(id, key);
  }
  return key;
}
