/**
 * A counting semaphore for replays on one instance (issue 14 row 10). A resume reads up to
 * MAX_REPLAY rows and frames them; a thousand sockets resuming at once would hold all of them
 * in memory together. Through the gate at most `limit` replays read at a time; the rest wait
 * their turn in arrival order. Fifteen lines, so no dependency (p-limit would do the same).
 */
export class ReplayGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Runs `task` once fewer than `limit` gated tasks are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
