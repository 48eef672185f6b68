import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// Chosen once, in the runner process; its workers load this file again and inherit these.
process.env.E2E_PORT ??= String(await freePort());
process.env.E2E_DATABASE ??= `laneway_e2e_${process.pid}`;
// The server's mail goes to an SMTP sink beside it, which writes each message into this folder
// (one JSON file each) for the specs to read (e2e/src/mail.ts).
process.env.E2E_MAIL_DIR ??= mkdtempSync(join(tmpdir(), 'laneway-e2e-mail-'));
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT}`;

/** Debian's Chromium (never `playwright install`); flags from shared/NOTES.md. */
const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './specs',
  outputDir: '../test-results/e2e',
  // One server and one database for every spec; two shared cores: one worker.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: '../test-results/e2e.json' }]] : [['list']],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    // The first run creates the instance superuser through the UI; every other spec signs in as it.
    { name: 'first-run', testMatch: /first-run\.spec\.ts/, use: chromium },
    { name: 'app', testIgnore: /first-run\.spec\.ts/, dependencies: ['first-run'], use: chromium },
  ],
  webServer: {
    command: 'node e2e/src/start-server.ts',
    cwd: '..',
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
