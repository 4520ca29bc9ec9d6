/**
 * The canonical sampling-parameters encoding (docs/spec/wire.md §8, src/wire/query-receipt.ts): equal to Solidity's
 * abi.encode(bool, uint64, uint32) (what DisputeGame hashes), round-trips, and refuses every malformed preimage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAbiParameters, keccak256 as viemKeccak } from 'viem';
import { toHex } from '../common/bytes.ts';
import { SeededRandom } from '../common/clock.ts';
import { BaseError } from '../common/errors.ts';
import { decodeSamplingParams, encodeSamplingParams, samplingParamsHash, SAMPLING_PARAMS_BYTES, type SamplingParams } from './query-receipt.ts';

const ABI = [{ type: 'bool' }, { type: 'uint64' }, { type: 'uint32' }] as const;

test('the encoding is abi.encode(seeded, seed, maxTokens) and paramsHash its keccak', () => {
  const cases: SamplingParams[] = [
    { seed: null, maxTokens: 1 },
    { seed: 0n, maxTokens: 7 },
    { seed: (1n << 64n) - 1n, maxTokens: 0xffffffff },
    { seed: 123456789n, maxTokens: 4096 },
  ];
  for (const p of cases) {
    const abi = encodeAbiParameters(ABI, [p.seed !== null, p.seed ?? 0n, p.maxTokens]);
    assert.equal(toHex(encodeSamplingParams(p)), abi);
    assert.equal(toHex(samplingParamsHash(p)), viemKeccak(abi));
    assert.deepEqual(decodeSamplingParams(encodeSamplingParams(p)), p);
  }
  assert.notEqual(toHex(samplingParamsHash({ seed: null, maxTokens: 3 })), toHex(samplingParamsHash({ seed: 0n, maxTokens: 3 })), 'greedy and seed 0 differ');
});

test('out-of-range parameters are refused when encoding', () => {
  for (const p of [{ seed: -1n, maxTokens: 1 }, { seed: 1n << 64n, maxTokens: 1 }, { seed: null, maxTokens: 0 }, { seed: null, maxTokens: 2 ** 32 }, { seed: null, maxTokens: 1.5 }]) {
    assert.throws(() => encodeSamplingParams(p), BaseError);
  }
});

test('malformed preimages are typed errors: wrong length, bool > 1, seed without seeded, seed ≥ 2^64, maxTokens 0 or ≥ 2^32, random bytes', () => {
  const good = encodeSamplingParams({ seed: 5n, maxTokens: 9 });
  const mutate = (i: number, v: number) => {
    const b = Uint8Array.from(good);
    b[i] = v;
    return b;
  };
  const bad = [
    good.subarray(0, 95),
    new Uint8Array(97),
    mutate(31, 2), // seeded = 2
    encodeSamplingParams({ seed: null, maxTokens: 9 }).map((x, i) => (i === 63 ? 1 : x)), // greedy with seed 1
    mutate(32 + 23, 1), // seed = 2^64 + 5
    mutate(95, 0), // maxTokens = 0
    mutate(64 + 27, 1), // maxTokens ≥ 2^32
  ];
  for (const b of bad) assert.throws(() => decodeSamplingParams(b), BaseError);
  const rng = new SeededRandom(3);
  for (let i = 0; i < 300; i++) {
    const b = Uint8Array.from({ length: i % 5 === 0 ? rng.nextU32() % 200 : SAMPLING_PARAMS_BYTES }, () => rng.nextU32() & 0xff);
    try {
      decodeSamplingParams(b);
    } catch (e) {
      assert.ok(e instanceof BaseError, String(e));
    }
  }
});
