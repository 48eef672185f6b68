import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN, boardColumn, e2eDatabaseUrl, expect, LanewayApi, openBoard, test } from '../src/fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

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

/**
 * A second Laneway on the end-to-end database (the one playwright.config.ts made), on its own
 * port, so this test can stop and restart it; resolves once it answers /health.
 */
async function startLaneway(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SECRET_KEY: 'e2e secret key, not for any real deployment',
      DATABASE_URL: e2eDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_MODE: 'off',
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      REDIS_HOST: '',
      PUBLIC_URL: '',
      CORS_ALLOWED_ORIGINS: '',
    },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Laneway exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (Date.now() > deadline) throw new Error('Laneway did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopLaneway(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

test('after the server restarts, the board resumes without a reload and shows the move made meanwhile', async ({
  browser,
  api,
  seedBoard,
}) => {
  test.setTimeout(90_000);
  const board = await seedBoard(['Survives the restart', 'Stays put']);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let server = await startLaneway(port);
  try {
    const signedIn = await LanewayApi.signIn(origin, ADMIN.username, ADMIN.password);
    const context = await browser.newContext({ baseURL: origin });
    await context.addCookies([
      { name: 'session', value: signedIn.access, url: origin, httpOnly: true, sameSite: 'Lax' },
    ]);
    await signedIn.dispose();
    const page = await context.newPage();
    await openBoard(page, board.project.id);
    // A marker that survives only as long as the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // SIGTERM: the server closes the socket with 1001 (going away) and exits 0.
    expect(await stopLaneway(server)).toBe(0);
    await expect(page.getByTestId('offline-banner')).toBeVisible();

    // Meanwhile, someone moves a card through the other server.
    const ticket = board.column('To Do').tickets.find((t) => t.title === 'Survives the restart')!;
    await api.moveTicket(ticket.id, { column: board.column('Done').id });

    server = await startLaneway(port);
    await expect(page.getByTestId('offline-banner')).toBeHidden({ timeout: 30_000 });
    await expect(boardColumn(page, 'Done').getByText('Survives the restart')).toBeVisible();
    await expect(boardColumn(page, 'To Do').getByText('Survives the restart')).toHaveCount(0);
    await expect(boardColumn(page, 'To Do').getByText('Stays put')).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await context.close();
  } finally {
    await stopLaneway(server);
  }
});
