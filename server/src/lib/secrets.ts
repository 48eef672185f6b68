/**
 * Everything derived from SECRET_KEY, in one place (SPEC §13, decision 0030): per-purpose keys
 * by HKDF-SHA256, so a key used to encrypt mailbox passwords is never the key that signs reply
 * tokens; AES-256-GCM boxes for secrets stored at rest; HMAC-SHA256 for tokens.
 *
 * A box is `v1.<iv>.<tag>.<ciphertext>` (base64url). The purpose is also the GCM associated
 * data, so a box copied from one column into another does not decrypt.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What a key is for; each gets its own derived key. */
export type SecretPurpose = 'mailbox-password' | 'mail-reply-token' | 'mail-message-id' | (string & {});

/** The operations on SECRET_KEY the rest of the server may use. */
export interface Secrets {
  /** Encrypts `plaintext` for `purpose`; each call draws a fresh IV. */
  encrypt(purpose: SecretPurpose, plaintext: string): string;
  /** Opens a box made by `encrypt` with the same purpose; throws if it was altered or misfiled. */
  decrypt(purpose: SecretPurpose, box: string): string;
  /** HMAC-SHA256 of `data` under the purpose's key, base64url. */
  hmac(purpose: SecretPurpose, data: string): string;
}

const VERSION = 'v1';

/** Derives the per-purpose keys from one secret; cached per purpose. */
export function createSecrets(secretKey: string): Secrets {
  if (secretKey.length < 32) throw new Error('SECRET_KEY must be at least 32 characters');
  const ikm = Buffer.from(secretKey, 'utf8');
  const keys = new Map<string, Buffer>();
  const keyFor = (purpose: string, use: 'enc' | 'mac') => {
    const name = `${use}:${purpose}`;
    let key = keys.get(name);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', ikm, 'laneway', `laneway/${name}`, 32));
      keys.set(name, key);
    }
    return key;
  };
  return {
    encrypt(purpose, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(purpose, 'enc'), iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(purpose, box) {
      const [version, iv, tag, body] = box.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new Error('Not an encrypted value');
      }
      const decipher = createDecipheriv('aes-256-gcm', keyFor(purpose, 'enc'), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    hmac(purpose, data) {
      return createHmac('sha256', keyFor(purpose, 'mac')).update(data).digest('base64url');
    },
  };
}

/** The file under DATA_DIR that holds the generated development key. */
export const DEV_SECRET_FILE = 'secret-key';

/**
 * SECRET_KEY when set; otherwise (development and tests only: production requires it, see
 * env.ts) a random key generated once and kept in `DATA_DIR/secret-key`, so encrypted
 * passwords survive a restart.
 */
export async function resolveSecretKey(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, DEV_SECRET_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    // `wx`: two processes starting at once keep the first one's key.
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  }
}
