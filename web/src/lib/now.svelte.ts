/**
 * One shared minute-ish clock for countdowns (SLA badges): a single interval however many
 * badges are on the board, running only while one is shown. Not user data, so a module-level
 * value is fine even when rendering on the server (it never starts there).
 */
const TICK_MS = 20_000;

let now = $state(Date.now());
let watchers = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** The current time in ms, refreshed every few seconds while something watches it. */
export const clock = {
  get now(): number {
    return now;
  },
};

/** Starts watching the clock; call the returned function to stop (from `$effect`'s cleanup). */
export function watchClock(): () => void {
  if (watchers++ === 0) {
    now = Date.now();
    timer = setInterval(() => (now = Date.now()), TICK_MS);
  }
  return () => {
    if (--watchers === 0) clearInterval(timer);
  };
}
