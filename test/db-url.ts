/**
 * Where tests find PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else the machine's
 * server on 127.0.0.1:5432 (trust auth). Tests create and drop their own databases there.
 */
export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The admin URL pointed at another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Redis for tests that need it: TEST_REDIS_URL, else the machine's on 127.0.0.1:6379. */
export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}
