import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ownOrigin, requireAuth } from '../../auth/middleware.ts';
import { instanceKey } from '../../auth/secret-key.ts';
import type { AppEnv } from '../../deps.ts';
import * as twoFactor from '../../services/two-factor.ts';
import type * as r from './two-factor.routes.ts';

const totpKey = (c: Context<AppEnv>) => instanceKey(c.var.deps.config, 'totp');
/** What the "2FA was turned off" mail needs. */
const notice = async (c: Context<AppEnv>) => ({
  key: await instanceKey(c.var.deps.config, 'mail'),
  baseUrl: ownOrigin(c),
});

export const setupTwoFactor: RouteHandler<typeof r.setupTwoFactor, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const body = c.req.valid('json');
  return c.json(await twoFactor.setupTwoFactor(c.var.deps.db, actor, body.password, await totpKey(c)), 200);
};

export const enableTwoFactor: RouteHandler<typeof r.enableTwoFactor, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const body = c.req.valid('json');
  return c.json(await twoFactor.enableTwoFactor(c.var.deps.db, actor, body.code, await totpKey(c)), 200);
};

export const disableTwoFactor: RouteHandler<typeof r.disableTwoFactor, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { password, ...factor } = c.req.valid('json');
  await twoFactor.disableTwoFactor(c.var.deps.db, actor, password, factor, await totpKey(c), await notice(c));
  return c.body(null, 204);
};

export const regenerateRecoveryCodes: RouteHandler<typeof r.regenerateRecoveryCodes, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const body = c.req.valid('json');
  return c.json(await twoFactor.regenerateRecoveryCodes(c.var.deps.db, actor, body.code, await totpKey(c)), 200);
};

export const resetTwoFactor: RouteHandler<typeof r.resetTwoFactor, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await twoFactor.resetTwoFactor(c.var.deps.db, actor, c.req.valid('param').id, await notice(c));
  return c.body(null, 204);
};
