import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { frameOf, storedFrame, textFrame } from './frames.ts';

interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
}
/** `ws`'s frame parser, public in its source but absent from @types/ws. */
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => FrameReceiver };

/** The text messages a client reads out of `bytes` (ws's own parser, as a client uses it). */
function readFrames(bytes: Buffer): string[] {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) throw new Error('binary frame');
    texts.push(data.toString());
  });
  receiver.write(bytes);
  return texts;
}

describe('frames', () => {
  it('frames text of every length class a client can read back', () => {
    for (const text of ['', 'x', 'é'.repeat(63), 'a'.repeat(125), 'b'.repeat(126), 'c'.repeat(70_000)]) {
      expect(readFrames(textFrame(text))).toEqual([text]);
      expect(readFrames(textFrame(text, { own: true }))).toEqual([text]);
    }
  });

  it('stores a replayed frame in a buffer of its own, not a slice of the shared pool', () => {
    // A pooled slice would keep a whole slab (64 KB on Node 24) alive for as long as the cache
    // keeps the frame: thousands of cached frames, thousands of slabs (issue 14's soak).
    const topic = `project:${Math.floor(Math.random() * 1e9)}`;
    const built = storedFrame(topic, 7, 'ticket.moved', '2026-12-07T20:00:00.000Z', '{"id":1}');
    expect(built.byteOffset).toBe(0);
    expect(built.buffer.byteLength).toBe(built.length);
    expect(JSON.parse(readFrames(built)[0]!)).toEqual({
      type: 'ticket.moved',
      topic,
      seq: 7,
      at: '2026-12-07T20:00:00.000Z',
      data: { id: 1 },
    });
    // Built once, then served from the cache.
    expect(storedFrame(topic, 7, 'ticket.moved', '2026-12-07T20:00:00.000Z', '{"id":1}')).toBe(built);
  });

  it('builds a live event frame once per event', () => {
    const event = { type: 'ticket.moved', topic: 'project:1', seq: 3, at: '2026-12-07T20:00:00.000Z', data: {} };
    const first = frameOf(event);
    expect(frameOf(event)).toBe(first);
    expect(JSON.parse(readFrames(first)[0]!)).toEqual(event);
  });
});
