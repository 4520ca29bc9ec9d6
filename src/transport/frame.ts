/**
 * Length-prefixed frames on a byte stream (docs/dht-network.md §2):
 *
 *   frame = varint(len(payload)) ‖ payload          varint: unsigned LEB128, minimal, ≤ 4 bytes here
 *
 * One exchange sends exactly one frame each way on its own stream, then closes its writing side;
 * bytes after the frame are an error. The length is checked against `maxBytes` as soon as the
 * prefix is read, so a peer cannot make us buffer more than maxBytes + 4.
 */
import { FrameTooLargeError, EmptyStreamError, MalformedFrameError } from './errors.ts';

/** Largest varint prefix accepted: 4 bytes cover 2^28 − 1, far above any frame limit we use. */
const MAX_PREFIX_BYTES = 4;

export function encodeFrame(payload: Uint8Array, maxBytes: number): Uint8Array {
  if (payload.length > maxBytes) throw new FrameTooLargeError(payload.length, maxBytes);
  const prefix: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    prefix.push(b);
  } while (n > 0);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

/**
 * Incremental decoder of one frame: push chunks, get the payload once complete. Throws
 * FrameTooLargeError or MalformedFrameError (bad prefix, bytes after the frame).
 */
export class FrameDecoder {
  private readonly maxBytes: number;
  private prefixValue = 0;
  private prefixBytes = 0;
  private length = -1;
  private buffer: Uint8Array | null = null;
  private filled = 0;
  private done = false;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Feed bytes; returns the payload when the frame is complete, else null. */
  push(chunk: Uint8Array): Uint8Array | null {
    let i = 0;
    if (this.done) {
      if (chunk.length > 0) throw new MalformedFrameError('bytes after the frame');
      return null;
    }
    while (this.length < 0 && i < chunk.length) {
      const b = chunk[i++]!;
      if (this.prefixBytes === MAX_PREFIX_BYTES) throw new MalformedFrameError('length prefix longer than 4 bytes');
      this.prefixValue += (b & 0x7f) * 2 ** (7 * this.prefixBytes);
      this.prefixBytes++;
      if ((b & 0x80) === 0) {
        if (b === 0 && this.prefixBytes > 1) throw new MalformedFrameError('non-minimal length prefix');
        if (this.prefixValue > this.maxBytes) throw new FrameTooLargeError(this.prefixValue, this.maxBytes);
        this.length = this.prefixValue;
        this.buffer = new Uint8Array(this.length);
      } else if (this.prefixValue > this.maxBytes) {
        // Already over the limit with more prefix bytes to come: refuse now.
        throw new FrameTooLargeError(this.prefixValue, this.maxBytes);
      }
    }
    if (this.length < 0) return null;
    const take = Math.min(chunk.length - i, this.length - this.filled);
    this.buffer!.set(chunk.subarray(i, i + take), this.filled);
    this.filled += take;
    i += take;
    if (this.filled < this.length) return null;
    this.done = true;
    if (i < chunk.length) throw new MalformedFrameError('bytes after the frame');
    return this.buffer!;
  }

  /** The stream ended: throws unless a whole frame was read. */
  end(): void {
    if (this.done) return;
    if (this.prefixBytes === 0) throw new EmptyStreamError();
    throw new MalformedFrameError('stream ended inside a frame');
  }

  get complete(): boolean {
    return this.done;
  }
}

/** Something iterable of byte chunks (a libp2p stream yields Uint8Array or Uint8ArrayList). */
export type ChunkSource = AsyncIterable<Uint8Array | { subarray(): Uint8Array }>;

/**
 * Reads exactly one frame from `source`, which must then end (the peer closes its writing side).
 * Returns null when the source ends without sending anything and `allowEmpty` is set.
 */
export async function readFrame(source: ChunkSource, maxBytes: number, allowEmpty = false): Promise<Uint8Array | null> {
  const decoder = new FrameDecoder(maxBytes);
  let payload: Uint8Array | null = null;
  let sawBytes = false;
  for await (const chunk of source) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    if (bytes.length > 0) sawBytes = true;
    const out = decoder.push(bytes);
    if (out) payload = out;
  }
  if (!sawBytes && allowEmpty) return null;
  decoder.end();
  return payload;
}
