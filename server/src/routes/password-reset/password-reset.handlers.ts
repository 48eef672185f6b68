import type { RouteHandler } from '@hono/zod-openapi';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientIp, ownOrigin } from '../../auth/middleware.ts';
import { instanceKey } from '../../auth/secret-key.ts';
import type { AppEnv } from '../../deps.ts';
import * as reset from '../../services/password-reset.ts';
import type * as r from './password-reset.routes.ts';

/**
 * Every reset request answers after at least this long: the work for a known address (a token,
 * a queued job) then hides inside the same delay as none at all for an unknown one.
 */
const RESET_ANSWER_MS = 250;

export const requestReset: RouteHandler<typeof r.requestReset, AppEnv> = async (c) => {
  const started = performance.now();
  const { db, config, resetLimiter } = c.var.deps;
  const { email } = c.req.valid('json');
  // Charged whether or not the address exists, so a 429 says nothing about it either.
  await resetLimiter.byIp.charge(clientIp(c));
  await resetLimiter.byAddress.charge(email.toLowerCase());
  const key = await instanceKey(config, 'mail');
  await reset.requestReset(db, {
    email,
    ttlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
    baseUrl: ownOrigin(c),
    key,
  });
  await sleep(Math.max(0, RESET_ANSWER_MS - (performance.now() - started)));
  return c.json({ status: 'sent_if_known' as const }, 202);
};

export const confirmReset: RouteHandler<typeof r.confirmReset, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  await reset.confirmReset(c.var.deps.db, body.token, body.password);
  return c.body(null, 204);
};
