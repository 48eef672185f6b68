/**
 * Per-purpose keys for data the server must read back (TOTP secrets, docs/decisions/0023),
 * derived from the one instance secret (`lib/secrets.ts` resolveSecretKey: SECRET_KEY, which
 * production requires, or in development a key generated once in DATA_DIR/secret-key).
 * Losing it only locks out 2FA (recovery codes and a superuser reset still work).
 */
import { hkdfSync } from 'node:crypto';
import type { Config } from '../env.ts';
import { resolveSecretKey } from '../lib/secrets.ts';

const keys = new Map<string, Promise<Buffer>>();

/** A 256-bit key for `purpose`, derived by HKDF-SHA256 from the instance secret. */
export function instanceKey(config: Config, purpose: string): Promise<Buffer> {
  const id = `${config.SECRET_KEY ? 'env' : config.DATA_DIR}\0${purpose}`;
  let key = keys.get(id);
  if (!key) {
    key = resolveSecretKey(config.SECRET_KEY, config.DATA_DIR).then((secret) =>
      Buffer.from(hkdfSync('sha256', secret, 'laneway', purpose, 32)),
    );
    keys.set(id, key);
  }
  return key;
}
