import type { Db } from '@laneway/db/client';
import type { Actor } from '../lib/actor.ts';
import { isApiToken, validateApiToken, type TokenScope } from './api-tokens.ts';
import { validateAccessToken, type SessionLifetimes } from './sessions.ts';

/** Who a bearer credential (a session's access token or an `lw_` API token) acts as. */
export interface Credential {
  actor: Actor;
  /** The session's id, or `api:<id>` for an API token (what socket revocation matches). */
  sessionId: string;
  /** Set when the credential is an API token. */
  token?: { id: number; scope: TokenScope };
}

/** Resolves a session access token or an API token; null when neither validates. */
export async function validateCredential(
  db: Db,
  token: string,
  lifetimes: SessionLifetimes,
): Promise<Credential | null> {
  return isApiToken(token) ? validateApiToken(db, token) : validateAccessToken(db, token, lifetimes);
}
