import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError } from '../common/errors.ts';
import { SeededRandom } from '../common/clock.ts';
import { encodeFrame, FrameDecoder, readFrame } from './frame.ts';
import { EmptyStreamError, FrameTooLargeError, MalformedFrameError } from './errors.ts';

async function* chunks(...parts: Uint8Array[]) {
  for (const p of parts) yield p;
}

test('frames round-trip whatever the chunking, at the 127/128 and limit boundaries', async () => {
  const random = new SeededRandom(3);
  for (const size of [0, 1, 127, 128, 300, 16384]) {
    const payload = random.bytes(size);
    const frame = encodeFrame(payload, 16384);
    for (const cut of [1, 2, 7, frame.length]) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < frame.length; i += cut) parts.push(frame.subarray(i, i + cut));
      assert.deepEqual(await readFrame(chunks(...parts), 16384), payload);
    }
  }
  assert.equal(encodeFrame(new Uint8Array(128), 200)[1], 0x01);
});

test('an over-limit length is refused from its prefix alone, before the body arrives', () => {
  const d = new FrameDecoder(1000);
  assert.throws(() => d.push(Uint8Array.of(0xe9, 0x07)), FrameTooLargeError); // 1001
  assert.throws(() => new FrameDecoder(100).push(Uint8Array.of(0xff, 0xff)), FrameTooLargeError); // > 100 before the prefix ends
  assert.throws(() => encodeFrame(new Uint8Array(11), 10), FrameTooLargeError);
});

test('truncated, non-minimal, over-long prefixes and trailing bytes are malformed', async () => {
  await assert.rejects(readFrame(chunks(Uint8Array.of(5, 1, 2)), 100), MalformedFrameError);
  await assert.rejects(readFrame(chunks(), 100), EmptyStreamError); // no bytes at all: no input, not a malformed one
  assert.equal(await readFrame(chunks(), 100, true), null);
  await assert.rejects(readFrame(chunks(Uint8Array.of(0x81, 0x00)), 100), MalformedFrameError);
  await assert.rejects(readFrame(chunks(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01)), 2 ** 30), MalformedFrameError);
  await assert.rejects(readFrame(chunks(Uint8Array.of(1, 9, 9)), 100), MalformedFrameError);
  await assert.rejects(readFrame(chunks(Uint8Array.of(1, 9), Uint8Array.of(9)), 100), MalformedFrameError);
});

test('fuzz: random chunks only ever produce a payload or a typed error', async () => {
  const random = new SeededRandom(5);
  for (let i = 0; i < 2000; i++) {
    const parts = Array.from({ length: 1 + (random.nextU32() % 3) }, () => random.bytes(random.nextU32() % 40));
    try {
      const out = await readFrame(chunks(...parts), 64);
      assert.ok(out === null || out.length <= 64);
    } catch (error) {
      assert.ok(error instanceof BaseError, String(error));
    }
  }
});
