/**
 * Events go out as complete WebSocket frames built once per event and written as-is to every
 * socket on the topic: no per-socket JSON, no per-socket string-to-bytes conversion, no
 * per-socket frame header. (`ws.send` does all three per call; bench:realtime measured it at
 * more than half of the server's time when one event reaches many sockets.)
 */
import * as ws from 'ws';
import type { BusMessage } from './protocol.ts';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/** `ws`'s frame builder, public in its source but absent from @types/ws. */
const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender;

const TEXT = 0x1;

/**
 * One unmasked, final text frame carrying `text` (server-to-client frames are never masked).
 *
 * `own`: the frame gets an ArrayBuffer of its own rather than a slice of Node's shared pool.
 * A pooled Buffer keeps its whole slab alive (64 KB since Node 24's `Buffer.poolSize`), so a
 * frame kept for long in a cache of thousands would keep thousands of slabs: the soak's
 * external memory grew 32 → 120 MB over half an hour that way (issue 14). Frames that live as
 * long as their event (the live ones) stay pooled: cheaper to allocate, freed with the event.
 */
export function textFrame(text: string, { own = false } = {}): Buffer {
  const data = Buffer.from(text);
  const [header] = frame(data, { fin: true, opcode: TEXT, mask: false, readOnly: false, rsv1: false });
  const size = header!.length + data.length;
  const out = own ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
  header!.copy(out, 0);
  data.copy(out, header!.length);
  return out;
}

/** Live events: the frame is cached on the event object, which every socket's listener shares. */
const live = new WeakMap<BusMessage, Buffer>();

/** Replayed events: the same rows are read by every client that resumes after a blip. */
const recent = new Map<string, Buffer>();
const RECENT_FRAMES = 5_000;

export function frameOf(event: BusMessage): Buffer {
  let built = live.get(event);
  if (built === undefined) live.set(event, (built = textFrame(JSON.stringify(event))));
  return built;
}

/**
 * The frame of a stored event, built from its JSON text without parsing it: the same bytes as
 * a live frame of that event (key order of `data` aside, which jsonb normalises).
 */
export function storedFrame(topic: string, seq: number, type: string, at: string, payloadJson: string): Buffer {
  const key = `${topic}#${seq}`;
  let built = recent.get(key);
  if (built === undefined) {
    built = textFrame(
      `{"type":${JSON.stringify(type)},"topic":${JSON.stringify(topic)},"seq":${seq},"at":${JSON.stringify(at)},"data":${payloadJson}}`,
      { own: true },
    );
    if (recent.size >= RECENT_FRAMES) recent.delete(recent.keys().next().value!);
    recent.set(key, built);
  }
  return built;
}
