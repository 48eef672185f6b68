import { z } from 'zod';

const bool = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });
const csv = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .url()
        .transform((u) => new URL(u).origin),
    ),
  );

/** A comma-separated list of domains, lower-cased. */
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean),
);

/** Every variable Laneway reads. `.env.example` documents each one. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  DB_HOST: z.string().min(1).optional(),
  DB_PORT: int(1, 65535).default(5432),
  DB_NAME: z.string().min(1).default('laneway'),
  DB_USER: z.string().min(1).default('postgres'),
  DB_PASSWORD: z.string().default(''),
  ALLOW_EMBEDDED_DATABASE: bool.default(false),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  REDIS_HOST: z.string().min(1).optional(),
  REDIS_PORT: int(1, 65535).default(6379),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url(['http', 'https']).optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  CORS_ALLOWED_ORIGINS: csv.default([]),
  TRUST_PROXY_HEADERS: bool.default(false),
  ACCESS_TOKEN_LIFETIME_MINUTES: int(1, 60 * 24 * 30).default(60),
  REFRESH_TOKEN_LIFETIME_DAYS: int(1, 365).default(7),
  SESSION_CACHE_SECONDS: int(0, 300).default(30),
  TICKET_ARCHIVE_AFTER_HOURS: int(1, 24 * 365 * 10).default(24),
  EVENT_RETENTION_HOURS: int(1, 24 * 365).default(72),
  ALLOW_REGISTRATION: bool.default(false),
  UPLOAD_DIR: z.string().min(1).optional(),
  MAX_UPLOAD_MB: int(1, 10_240).default(25),
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  MAIL_FROM: z.string().min(3).default('Laneway <laneway@localhost>'),
  NOTIFICATION_EMAIL_DELAY_SECONDS: int(0, 24 * 3600).default(120),
  WORKER_MODE: z.enum(['inline', 'off']).default('inline'),
  WORKER_CONCURRENCY: int(1, 100).default(4),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: int(1, 30).default(9),
  WEBHOOK_RETRY_BASE_MS: int(1, 3_600_000).default(10_000),
  WEBHOOK_DELIVERY_RETENTION_DAYS: int(1, 3650).default(30),
  METRICS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: int(1, 1000).default(10),
  LOGIN_MAX_ATTEMPTS_PER_IP: int(1, 100_000).default(100),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_ANY_IP: int(1, 100_000).default(20),
  AUDIT_RETENTION_DAYS: int(1, 36_500).default(365),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  PASSWORD_RESET_TTL_MINUTES: int(5, 24 * 60).default(30),
  PASSWORD_RESET_MAX_PER_ADDRESS: int(1, 1000).default(5),
  PASSWORD_RESET_MAX_PER_IP: int(1, 100_000).default(30),
  INVITATION_TTL_HOURS: int(1, 24 * 90).default(72),
  /** Unsafe requests per minute: `staff,company,token` (company people are users with no project role). */
  RATE_LIMIT_WRITES_PER_MINUTE: z
    .string()
    .regex(/^\s*\d+\s*,\s*\d+\s*,\s*\d+\s*$/, 'three numbers: staff,company,token (e.g. 600,120,300)')
    .transform((v) => {
      const [staff, company, token] = v.split(',').map((n) => Number(n.trim()));
      return { staff: staff!, company: company!, token: token! };
    })
    .default({ staff: 600, company: 120, token: 300 }),
  REQUIRE_2FA: z.enum(['off', 'superusers', 'staff', 'all']).default('off'),
  MAIL_POLL_SECONDS: int(5, 24 * 3600).default(60),
  MAIL_MAX_PER_SENDER_PER_HOUR: int(1, 100_000).default(30),
  MAIL_MAX_MB: int(1, 1024).default(25),
  /** Single sign-on (SPEC §12, docs/sso.md): on when OIDC_ISSUER is set. */
  OIDC_ISSUER: url(['http', 'https']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  OIDC_SCOPES: z.string().trim().min(1).default('openid email profile'),
  OIDC_BUTTON_LABEL: z.string().trim().min(1).max(80).default('Sign in with SSO'),
  /** Domains whose addresses may get a new account (`*`: any); lower case, no `@`. */
  OIDC_ALLOWED_DOMAINS: list.default([]),
  OIDC_AUTO_PROVISION: bool.default(false),
  /** Members of any of these groups (the `groups` claim) are instance superusers, re-checked at each sign-in. */
  OIDC_SUPERUSER_GROUPS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .default([]),
  OIDC_ONLY: bool.default(false),
});

export type Env = z.infer<typeof EnvSchema>;

/** The resolved configuration the app runs on: defaults applied, legacy variables folded in. */
export interface Config extends Env {
  /** Postgres URL, or undefined to start the embedded server. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  uploadDir: string;
  maxUploadBytes: number;
}

export class ConfigError extends Error {}

/** Whether a URL's host is this machine (`localhost`, 127.0.0.0/8, `[::1]`). */
export function isLoopback(href: string): boolean {
  const host = new URL(href).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses a process environment into a Config. Empty strings count as unset (a `.env` file
 * with `FOO=` means "default"). Throws ConfigError naming the first bad variable.
 *
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => key in EnvSchema.shape && value !== ''),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const env = parsed.data;
  const databaseUrl =
    env.DATABASE_URL ??
    (env.DB_HOST
      ? `postgres://${encodeURIComponent(env.DB_USER)}:${encodeURIComponent(env.DB_PASSWORD)}@${env.DB_HOST}:${env.DB_PORT}/${encodeURIComponent(env.DB_NAME)}`
      : undefined);
  // A production deployment that lost its DATABASE_URL would otherwise start an empty embedded
  // database inside its container and appear to work.
  if (!databaseUrl && env.NODE_ENV === 'production' && !env.ALLOW_EMBEDDED_DATABASE) {
    throw new ConfigError(
      'Invalid configuration: DATABASE_URL: must be set (or DB_HOST) when NODE_ENV=production; ' +
        'set ALLOW_EMBEDDED_DATABASE=true to run the embedded PostgreSQL in DATA_DIR instead',
    );
  }
  // Mailbox passwords are encrypted with it: a generated development key in a container's
  // DATA_DIR would be lost with the volume, and every stored password with it.
  if (!env.SECRET_KEY && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration: SECRET_KEY: must be set when NODE_ENV=production (e.g. openssl rand -base64 32)',
    );
  }
  if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) {
    throw new ConfigError('Invalid configuration: OIDC_CLIENT_ID: must be set with OIDC_ISSUER');
  }
  // Tokens and the client secret would cross the network in clear text.
  if (env.OIDC_ISSUER?.startsWith('http:') && env.NODE_ENV === 'production' && !isLoopback(env.OIDC_ISSUER)) {
    throw new ConfigError('Invalid configuration: OIDC_ISSUER: must be https:// in production (http only on loopback)');
  }
  if (env.OIDC_ONLY && !env.OIDC_ISSUER) {
    throw new ConfigError('Invalid configuration: OIDC_ONLY: needs OIDC_ISSUER (nobody could sign in but superusers)');
  }
  const redisUrl = env.REDIS_URL ?? (env.REDIS_HOST ? `redis://${env.REDIS_HOST}:${env.REDIS_PORT}` : undefined);
  return {
    ...env,
    databaseUrl,
    redisUrl,
    uploadDir: env.UPLOAD_DIR ?? `${env.DATA_DIR}/uploads`,
    maxUploadBytes: env.MAX_UPLOAD_MB * 1024 * 1024,
  };
}

/**
 * `loadConfig(process.env)` for a command's entry point: a bad variable prints its one-line
 * message and exits 1 instead of a stack trace.
 */
export function loadConfigOrExit(source: Record<string, string | undefined>): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
