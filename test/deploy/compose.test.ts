/**
 * The deployment files, read by real parsers: docker-compose (Debian's 1.29, when .ci/run has
 * installed it), the compose-spec JSON schema (shipped by dclint), YAML and TOML; then the rules
 * Dokploy and SPEC §10 set for them. The image cannot be built on these machines (no Docker
 * engine), so the Dockerfile's promises are read from its text.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DCLinter } from 'dclint';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { root } from './processes.ts';

const run = promisify(execFile);
const COMPOSE = 'compose.yaml';
const OVERRIDE = 'compose.override.example.yaml';
const TEMPLATE = 'deploy/dokploy/docker-compose.yml';
const SERVICES = ['app', 'worker', 'postgres', 'redis'];
/** The app's health check, the same in the Dockerfile and in both compose files. */
const READY_PROBE =
  "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready?scope=instance').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

async function yamlFile(file: string): Promise<any> {
  return parseYaml(await readFile(path.join(root, file), 'utf8'), { merge: true });
}

describe('docker-compose config', () => {
  let project: string;
  let installed: Promise<boolean> | undefined;

  beforeAll(async () => {
    // A project folder like Dokploy's: the compose files and the .env it writes.
    project = await mkdtemp(path.join(tmpdir(), 'laneway-compose-'));
    await copyFile(path.join(root, COMPOSE), path.join(project, 'compose.yaml'));
    await copyFile(path.join(root, OVERRIDE), path.join(project, 'compose.override.yaml'));
    await copyFile(path.join(root, TEMPLATE), path.join(project, 'template.yml'));
    await writeFile(path.join(project, '.env'), 'POSTGRES_PASSWORD=p@ss:w/rd#1\nLANEWAY_IMAGE=laneway:test\n');
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  const compose = async (...args: string[]) => {
    installed ??= run('docker-compose', ['version']).then(
      () => true,
      () => false,
    );
    expect(await installed, 'docker-compose is missing: apt-get install -y docker-compose (.ci/run installs it)').toBe(
      true,
    );
    // Only the project's .env: no POSTGRES_PASSWORD from the developer's shell.
    return run('docker-compose', args, { cwd: project, env: { PATH: process.env.PATH } }).catch(
      (error: { stderr: string }) => ({
        stdout: '',
        stderr: error.stderr,
      }),
    );
  };

  it.each([
    ['compose.yaml', ['-f', 'compose.yaml']],
    ['compose.yaml with the override example', ['-f', 'compose.yaml', '-f', 'compose.override.yaml']],
    ['the Dokploy template', ['-f', 'template.yml']],
  ])('accepts %s', async (_name, files) => {
    const { stderr } = await compose(...files, 'config', '-q');
    expect(stderr).toBe('');
  });

  it('interpolates the password unchanged into the database settings of app, worker and postgres', async () => {
    const { stdout } = await compose('-f', 'compose.yaml', 'config');
    const config = parseYaml(stdout);
    expect(config.services.app.environment.DB_PASSWORD).toBe('p@ss:w/rd#1');
    expect(config.services.worker.environment.DB_PASSWORD).toBe('p@ss:w/rd#1');
    expect(config.services.postgres.environment.POSTGRES_PASSWORD).toBe('p@ss:w/rd#1');
  });

  it('refuses to start without POSTGRES_PASSWORD, saying so', async () => {
    await writeFile(path.join(project, 'empty.env'), '');
    const { stderr } = await compose('-f', 'compose.yaml', '--env-file', 'empty.env', 'config', '-q');
    expect(stderr).toContain("POSTGRES_PASSWORD must be set in .env or in Dokploy's Environment tab");
  });
});

describe('compose-spec schema (dclint)', () => {
  const lint = (file: string) => {
    const linter = new DCLinter({
      quiet: true,
      debug: false,
      exclude: [],
      // dclint runs every rule not set to 0: its style rules (key and service order, a `name:`
      // that Dokploy sets itself) are off.
      rules: {
        'no-build-and-image': 2,
        'no-duplicate-container-names': 2,
        'no-duplicate-exported-ports': 2,
        'no-quotes-in-volumes': 2,
        'no-unbound-port-interfaces': 2,
        'no-version-field': 2,
        'require-quotes-in-ports': 2,
        'service-container-name-regex': 2,
        'service-image-require-explicit-tag': 2,
        'require-project-name-field': 0,
        'service-dependencies-alphabetical-order': 0,
        'service-keys-order': 0,
        'service-ports-alphabetical-order': 0,
        'services-alphabetical-order': 0,
        'top-level-properties-order': 0,
      },
    });
    const [result] = linter.lintFiles([file], false);
    return result!.messages.map((m: { rule: string; message: string }) => `${m.rule}: ${m.message}`);
  };

  it.each([COMPOSE, OVERRIDE, TEMPLATE])('%s is valid and passes the safety rules', (file) => {
    expect(lint(path.join(root, file))).toEqual([]);
  });

  it('catches a misspelt key (the schema check is live)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'laneway-dclint-'));
    try {
      const text = (await readFile(path.join(root, COMPOSE), 'utf8')).replace('    healthcheck:', '    healthchek:');
      await writeFile(path.join(dir, 'compose.yaml'), text);
      expect(lint(path.join(dir, 'compose.yaml'))).toEqual([
        expect.stringMatching(/^invalid-schema: .*\/services\/app.*must NOT have additional properties/),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('compose.yaml for Dokploy', () => {
  let compose: any;
  beforeAll(async () => {
    compose = await yamlFile(COMPOSE);
  });

  it('runs app, worker, postgres and redis, each with a health check, none with a container_name or host port', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES].sort());
    for (const name of SERVICES) {
      const service = compose.services[name];
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.container_name, name).toBeUndefined();
      expect(service.ports, name).toBeUndefined();
      expect(service.restart, name).toBe('unless-stopped');
    }
    expect(compose.services.app.expose).toEqual(['3000']);
    expect(compose.networks).toBeUndefined();
  });

  it('builds app and worker from this repository, and starts them once postgres and redis are healthy', () => {
    for (const name of ['app', 'worker']) {
      const service = compose.services[name];
      expect(service.build, name).toBe('.');
      expect(service.command, name).toEqual([name === 'app' ? 'server' : 'worker']);
      expect(service.env_file, name).toBe('.env');
      expect(service.depends_on, name).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(service.environment, name).toMatchObject({ DB_HOST: 'postgres', REDIS_URL: 'redis://redis:6379' });
    }
    expect(compose.services.app.environment.WORKER_MODE).toBe('off');
    expect(compose.services.app.healthcheck.test).toEqual(['CMD', 'node', '-e', READY_PROBE]);
    expect(compose.services.worker.healthcheck.test.join(' ')).toContain('/proc/1/cmdline');
    // Longer than each process's own shutdown bound (10 s server, 30 s worker).
    expect(compose.services.app.stop_grace_period).toBe('15s');
    expect(compose.services.worker.stop_grace_period).toBe('40s');
  });

  it('pins the images and keeps data and uploads in named volumes', () => {
    expect(compose.services.postgres.image).toBe('postgres:18');
    expect(compose.services.redis.image).toMatch(/^redis:8(\.\d+)*-alpine$/);
    expect(compose.services.postgres.environment.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?.+\}$/);
    expect(compose.services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql']);
    expect(compose.services.app.volumes).toEqual(['uploads:/data/uploads']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'uploads']);
  });

  it('publishes a port only in the override example, on loopback', async () => {
    const override = await yamlFile(OVERRIDE);
    expect(Object.keys(override.services)).toEqual(['app']);
    expect(override.services.app.ports).toEqual(['127.0.0.1:3000:3000']);
  });
});

describe('the Dokploy template', () => {
  it('is compose.yaml with a built image instead of a build', async () => {
    const template = await yamlFile(TEMPLATE);
    const compose = await yamlFile(COMPOSE);
    for (const name of ['app', 'worker']) {
      expect(template.services[name].image).toBe('${LANEWAY_IMAGE:?LANEWAY_IMAGE must name the Laneway image to run}');
      delete template.services[name].image;
      delete compose.services[name].build;
    }
    // The anchors' own keys stay; everything that reaches Docker is the same.
    expect(template.services).toEqual(compose.services);
    expect(template.volumes).toEqual(compose.volumes);
  });

  it('template.toml routes its domain to the app and sets the required variables; meta.json names its logo', async () => {
    const toml = parseToml(await readFile(path.join(root, 'deploy/dokploy/template.toml'), 'utf8')) as any;
    expect(toml.variables).toMatchObject({ main_domain: '${domain}', postgres_password: '${password:32}' });
    expect(toml.config.domains).toEqual([{ serviceName: 'app', port: 3000, host: '${main_domain}' }]);
    const env = Object.fromEntries((toml.config.env as string[]).map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(env).toMatchObject({
      PUBLIC_URL: 'https://${main_domain}',
      POSTGRES_PASSWORD: '${postgres_password}',
      SECRET_KEY: '${secret_key}',
      LANEWAY_IMAGE: expect.any(String),
    });
    const meta = JSON.parse(await readFile(path.join(root, 'deploy/dokploy/meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      id: 'laneway',
      name: 'Laneway',
      version: expect.any(String),
      tags: expect.any(Array),
    });
    expect(existsSync(path.join(root, 'deploy/dokploy', meta.logo))).toBe(true);
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('builds on node:24-slim and runs as a non-root user with the health check, signal and entry point', async () => {
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    // Node's image, the official postgres image of PG_MAJOR (for its apt source), or a stage.
    expect(
      froms.every((image) => image === '${NODE_IMAGE}' || image === 'postgres:${PG_MAJOR}' || !image!.includes(':')),
    ).toBe(true);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).toContain(`CMD ["node", "-e", "${READY_PROBE}"]`);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/app\/entrypoint\.sh"\]$/m);
    expect(runtime).toMatch(/^CMD \["server"\]$/m);
    // Production dependencies only: the runtime copies node_modules from the --omit=dev stage.
    expect(runtime).toContain('COPY --from=prod-deps /app ./');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it("has pg_dump and pg_restore of compose.yaml's PostgreSQL major version on PATH (backup, restore)", async () => {
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const compose = await yamlFile(COMPOSE);
    const major = /^postgres:(\d+)/.exec(compose.services.postgres.image)![1];
    expect(dockerfile).toMatch(new RegExp(`^ARG PG_MAJOR=${major}$`, 'm'));
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^ARG PG_MAJOR$/m);
    expect(runtime).toContain('apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}"');
    expect(runtime).toMatch(/^ {4}PATH=\/usr\/lib\/postgresql\/\$\{PG_MAJOR\}\/bin:\$PATH$/m);
    // Installed before the runtime drops to the app's user.
    expect(runtime.indexOf('postgresql-client-')).toBeLessThan(runtime.indexOf('USER node'));
  });

  it('ships the patched postgres.js (decision 0053) in the image, for the version the lockfile pins', async () => {
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    // deps runs the root postinstall (patch-package) with the patches present; prod-deps runs none.
    expect(dockerfile).toMatch(/^COPY patches patches\/$/m);
    expect(runtime).toContain('COPY --from=deps /app/node_modules/postgres node_modules/postgres');
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8'));
    const patch = await readFile(
      path.join(root, `patches/postgres+${lock.packages['node_modules/postgres'].version}.patch`),
      'utf8',
    );
    expect(patch).toContain('node_modules/postgres/src/connection.js');
    expect(patch).toContain('node_modules/postgres/cjs/src/connection.js');
  });

  it('keeps secrets, dependencies and local data out of the build context', async () => {
    const lines = (await readFile(path.join(root, '.dockerignore'), 'utf8')).split('\n');
    for (const line of ['.git', '**/node_modules', '.data', '.env', '.env.*', '!.env.example', 'test-results']) {
      expect(lines, line).toContain(line);
    }
  });
});
