/**
 * `npm run dev`: the API server (restarted on change by `node --watch`) and the Vite dev server
 * of the web app (hot reload), side by side. Open the Vite URL (http://localhost:5173): it
 * proxies `/api` and `/ws` to the API server on API_PORT (default 3000). Ctrl-C stops both;
 * either one exiting stops the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const apiPort = process.env.PORT ?? '3000';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const children: ChildProcess[] = [
  spawn(process.execPath, ['--watch', 'server/src/main.ts'], {
    stdio: 'inherit',
    env: { ...process.env, PORT: apiPort },
  }),
  spawn(npm, ['run', 'dev', '-w', 'web'], {
    stdio: 'inherit',
    env: { ...process.env, LANEWAY_DEV_API: `http://127.0.0.1:${apiPort}` },
  }),
];

let exiting = false;
function stopAll(code: number) {
  if (exiting) return;
  exiting = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
for (const child of children) child.once('exit', (code) => stopAll(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(0));
