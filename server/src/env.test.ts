import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      ACCESS_TOKEN_LIFETIME_MINUTES: 60,
      REFRESH_TOKEN_LIFETIME_DAYS: 7,
      TICKET_ARCHIVE_AFTER_HOURS: 24,
      MAX_UPLOAD_MB: 25,
      WORKER_MODE: 'inline',
      ALLOW_REGISTRATION: false,
      databaseUrl: undefined,
      redisUrl: undefined,
    });
    expect(c.uploadDir).toBe('./.data/uploads');
  });

  it("accepts the old system's DB_* and REDIS_HOST/REDIS_PORT", () => {
    const c = loadConfig({
      DB_HOST: 'db',
      DB_NAME: 'ticketing',
      DB_USER: 'app',
      DB_PASSWORD: 'p@ss',
      REDIS_HOST: 'cache',
    });
    expect(c.databaseUrl).toBe('postgres://app:p%40ss@db:5432/ticketing');
    expect(c.redisUrl).toBe('redis://cache:6379');
  });

  it('treats empty values as unset and booleans in any case', () => {
    const c = loadConfig({
      PORT: '',
      ALLOW_REGISTRATION: 'TRUE',
      CORS_ALLOWED_ORIGINS: 'https://a.example/, https://b.example',
    });
    expect(c.PORT).toBe(3000);
    expect(c.ALLOW_REGISTRATION).toBe(true);
    expect(c.CORS_ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['MAX_UPLOAD_MB', '0'],
    ['WORKER_MODE', 'sometimes'],
    ['CORS_ALLOWED_ORIGINS', 'not a url'],
    ['ALLOW_REGISTRATION', 'maybe'],
    ['LOG_LEVEL', 'loud'],
  ])('a bad %s stops start-up with one message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}:`));
  });
});

describe('SECRET_KEY', () => {
  const url = 'postgres://laneway:secret@postgres:5432/laneway';
  it('is required in production, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: url })).toThrow(
      /^Invalid configuration: SECRET_KEY: must be set when NODE_ENV=production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, SECRET_KEY: 'short' })).toThrow(
      /^Invalid configuration: SECRET_KEY: must be at least 32 characters/,
    );
  });
  it('is optional in development and tests (a key is generated under DATA_DIR)', () => {
    expect(loadConfig({}).SECRET_KEY).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test' }).SECRET_KEY).toBeUndefined();
  });
});

describe('production without a database', () => {
  const KEY = 'a production secret key of at least 32 characters';
  it('refuses to start, naming DATABASE_URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: '' })).toThrow(
      /^Invalid configuration: DATABASE_URL: must be set \(or DB_HOST\) when NODE_ENV=production; set ALLOW_EMBEDDED_DATABASE=true/,
    );
  });

  it('starts with DATABASE_URL, with DB_HOST, or when the embedded database is allowed', () => {
    const url = 'postgres://laneway:secret@postgres:5432/laneway';
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, SECRET_KEY: KEY }).databaseUrl).toBe(url);
    expect(loadConfig({ NODE_ENV: 'production', DB_HOST: 'postgres', SECRET_KEY: KEY }).databaseUrl).toBe(
      'postgres://postgres:@postgres:5432/laneway',
    );
    const embedded = loadConfig({ NODE_ENV: 'production', ALLOW_EMBEDDED_DATABASE: 'yes', SECRET_KEY: KEY });
    expect(embedded).toMatchObject({ ALLOW_EMBEDDED_DATABASE: true, databaseUrl: undefined });
  });

  it('leaves development and test on the embedded default', () => {
    expect(loadConfig({}).ALLOW_EMBEDDED_DATABASE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ NODE_ENV: 'production', ALLOW_EMBEDDED_DATABASE: 'sometimes' })).toThrow(
      /^Invalid configuration: ALLOW_EMBEDDED_DATABASE:/,
    );
  });
});

describe('single sign-on configuration', () => {
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', SECRET_KEY: 'k'.repeat(32) };

  it('reads the lists and defaults', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'https://id.example.com/realms/acme',
      OIDC_CLIENT_ID: 'laneway',
      OIDC_ALLOWED_DOMAINS: ' Example.com, @client.example ,',
      OIDC_SUPERUSER_GROUPS: 'laneway-admins, authentik Admins',
    });
    expect(c).toMatchObject({
      OIDC_SCOPES: 'openid email profile',
      OIDC_BUTTON_LABEL: 'Sign in with SSO',
      OIDC_AUTO_PROVISION: false,
      OIDC_ONLY: false,
      OIDC_ALLOWED_DOMAINS: ['example.com', 'client.example'],
      OIDC_SUPERUSER_GROUPS: ['laneway-admins', 'authentik Admins'],
    });
  });

  it('refuses an issuer without a client id, OIDC_ONLY without an issuer, and plain http in production off loopback', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_ONLY: 'true' })).toThrow(/OIDC_ONLY/);
    const http = { ...production, OIDC_CLIENT_ID: 'laneway' };
    expect(() => loadConfig({ ...http, OIDC_ISSUER: 'http://id.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...http, OIDC_ISSUER: 'http://id.example.com' })).toThrow(/OIDC_ISSUER/);
    expect(loadConfig({ ...http, OIDC_ISSUER: 'http://127.0.0.1:9400' }).OIDC_ISSUER).toBe('http://127.0.0.1:9400');
  });
});
