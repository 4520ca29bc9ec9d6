/**
 * Every concrete schema src/wire declares (messages.ts, the envelope, Query and Receipt) under
 * random and mutated bytes: each decode either yields a value whose encoding is exactly the input
 * (canonical) or throws a WireDecodeError — never another exception. codec.test.ts does the same
 * over random schemas; this pins the schemas that actually travel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { arbitrary } from './arbitrary.ts';
import { decode, encode } from './codec.ts';
import { EnvelopeSchema } from './envelope.ts';
import { WireDecodeError, WrongTypeError } from './errors.ts';
import { EchoSchema, JoinSchema, PingSchema, PongSchema } from './messages.ts';
import { QuerySchema, ReceiptSchema } from './query-receipt.ts';
import type { Schema } from './schema.ts';

const SCHEMAS: Record<string, Schema> = {
  ping: PingSchema,
  pong: PongSchema,
  join: JoinSchema,
  echo: EchoSchema,
  query: QuerySchema,
  receipt: ReceiptSchema,
  envelope: EnvelopeSchema,
};

/** A decode error raised on purpose, not the codec's catch-all for an unexpected exception. */
function isDeliberate(e: unknown): boolean {
  return e instanceof WireDecodeError && !(e instanceof WrongTypeError && String(e.details.reason).startsWith('internal'));
}

function mutations(r: SeededRandom, valid: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [r.bytes(r.nextU32() % 200), r.bytes(valid.length)];
  for (let m = 0; m < 12; m++) {
    const copy = valid.slice();
    switch (r.nextU32() % 5) {
      case 0:
        if (copy.length > 0) copy[r.nextU32() % copy.length] = r.nextU32() & 0xff;
        out.push(copy);
        break;
      case 1:
        if (copy.length > 0) copy[r.nextU32() % copy.length]! ^= 1 << (r.nextU32() % 8);
        out.push(copy);
        break;
      case 2:
        out.push(copy.subarray(0, r.nextU32() % (copy.length + 1)));
        break;
      case 3:
        out.push(Uint8Array.from([...copy, ...r.bytes(1 + (r.nextU32() % 4))]));
        break;
      default: {
        // Splice random bytes into the middle (shifts every later field).
        const at = r.nextU32() % (copy.length + 1);
        out.push(Uint8Array.from([...copy.subarray(0, at), ...r.bytes(1 + (r.nextU32() % 8)), ...copy.subarray(at)]));
      }
    }
  }
  return out;
}

for (const [name, schema] of Object.entries(SCHEMAS)) {
  test(`fuzz ${name}: random and mutated bytes decode canonically or throw a WireDecodeError`, () => {
    const r = new SeededRandom(0x5eed + name.length);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 150; i++) {
      const value = arbitrary(schema, r, { maxSize: 40 });
      const valid = encode(schema, value);
      assert.deepStrictEqual(decode(schema, valid), value, 'a valid encoding decodes to its value');
      for (const input of mutations(r, valid)) {
        try {
          const decoded = decode(schema, input);
          assert.deepStrictEqual(encode(schema, decoded), input, 'accepted bytes must be the canonical encoding');
          accepted++;
        } catch (e) {
          if (!isDeliberate(e)) throw e;
          rejected++;
        }
      }
    }
    assert.ok(rejected > 100, `${name}: ${rejected} rejected`);
    // Fixed-size schemas accept most same-length random bytes; variable ones at least some mutations.
    assert.ok(accepted > 0, `${name}: ${accepted} accepted`);
  });
}
