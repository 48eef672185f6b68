import { describe, expect, it } from 'vitest';
import { ReplayGate } from './replay-gate.ts';

describe('ReplayGate (issue 14 row 10: a bound on replays per instance)', () => {
  it('row 10: never runs more than its limit at once, and runs every task in arrival order', async () => {
    const gate = new ReplayGate(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = Array.from({ length: 20 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return i;
      }),
    );
    // Release whatever is running, a batch at a time, until every task has run.
    while (started.length < 20 || releases.length) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const release of releases.splice(0)) release();
    }
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('row 10: a failing task frees its slot', async () => {
    const gate = new ReplayGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve('next'))).toBe('next');
  });
});
