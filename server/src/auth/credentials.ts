import type { Db } from '@laneway/db/client';
import { isApiToken, validateApiToken } from './api-tokens.ts';
import type { Credential, CredentialCache } from './credential-cache.ts';
import { validateAccessToken, type SessionLifetimes } from './sessions.ts';

export type { Credential } from './credential-cache.ts';

/**
 * Resolves a session access token or an API token; null when neither validates. With `cache`
 * (every request and upgrade passes the instance's), a recent valid answer is served from
 * memory (docs/decisions/0047).
 */
export async function validateCredential(
  db: Db,
  token: string,
  lifetimes: SessionLifetimes,
  cache?: CredentialCache,
): Promise<Credential | null> {
  const load = () => (isApiToken(token) ? validateApiToken(db, token) : validateAccessToken(db, token, lifetimes));
  if (cache) return cache.resolve(token, load);
  const found = await load();
  if (!found) return null;
  const { cacheUntil: _, ...credential } = found;
  return credential;
}
