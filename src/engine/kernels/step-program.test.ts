/**
 * The whole-step path (a model's program run by assembly/kernels.ts runProgram, one wasm call per step) gives
 * exactly the reference runner's outputs, hashes and traces: on the shipped sort-transformer over many prompts
 * (greedy and seeded), on the test models of src/testnet/test-models.ts at several shapes, and on random graphs built from
 * every program op with int32 extremes; with some ops left on the per-node path (the fallback); with the
 * profiler's per-kind re-runs; and after other runners grow the shared memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../../common/clock.ts';
import { GraphBuilder } from '../builder.ts';
import { decodeModelFile } from '../model-file.ts';
import type { LoadedModel } from '../model-file.ts';
import { liveFor } from '../live-nodes.ts';
import { Runner } from '../runner.ts';
import type { OpProfiler } from '../run-options.ts';
import type { RunInput } from '../run-query.ts';
import { generateTask } from '../tasks/sort-task.ts';
import { tinyMlp, tinyTransformer } from '../../testnet/test-models.ts';
import { INT32_MAX, INT32_MIN } from '../ops/arith.ts';
import { prng } from '../ops/sources.ts';
import { keccak256 } from '../../crypto/keccak.ts';
import { referenceKernels } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { KernelShapeError } from './errors.ts';
import { encodeProgram, opMask, programFlags, PROGRAM_FLAG_I32, PROGRAM_FLAG_MULHI, PROGRAM_FLAG_NO_CLAMP, PROGRAM_FLAG_U32_DIV, PROGRAM_OP_CODES, requantPreShift } from './step-program.ts';
import { createWasmKernels } from './wasm.ts';

const kernels: Kernels = await createWasmKernels();
const sort = decodeModelFile(readFileSync(join(import.meta.dirname, '../../../models/sort-transformer.hsm')));

/** Runs every input on the reference runner and on the whole-step runner: same output, hash and trace. */
function assertSame(model: LoadedModel, inputs: RunInput[], wasm: Runner, what: string): void {
  const ref = new Runner(model, { kernels: referenceKernels });
  try {
    assert.equal(ref.wholeStep, false);
    for (const [i, input] of inputs.entries()) {
      const a = ref.run(input, { trace: true });
      const b = wasm.run(input, { trace: true });
      assert.deepEqual(b.output, a.output, `${what} input ${i}: output`);
      assert.deepEqual(b.trace, a.trace, `${what} input ${i}: trace`);
      assert.equal(b.steps, a.steps);
      const happy = wasm.run(input); // happy path (no trace) after a traced run on the same runner
      assert.deepEqual(happy.outputHash, a.outputHash, `${what} input ${i}: happy-path hash`);
    }
  } finally {
    ref.close();
  }
}

test('shipped sort-transformer: the whole-step path = the reference runner on 48 task prompts and 16 random ones, greedy and seeded', () => {
  const wasm = new Runner(sort, { kernels });
  assert.equal(wasm.wholeStep, true);
  const tok = sort.layout.tokenizer!;
  const rng = new SeededRandom(5);
  const prompts = generateTask(777, 48).map((e) => Array.from(tok.encode(e.prompt)));
  for (let i = 0; i < 16; i++) prompts.push(Array.from({ length: 1 + (rng.nextU32() % 12) }, () => rng.nextU32() % sort.meta.vocabSize));
  const inputs: RunInput[] = prompts.flatMap((prompt, i) => [{ prompt }, { prompt, seed: 1000 + i }, { prompt, seed: 2n ** 64n - 1n - BigInt(i), maxTokens: 3 }]);
  assertSame(sort, inputs, wasm, 'sort-transformer');
  wasm.close();
});

test('test models: tiny decoders of several shapes and the tiny MLP classifier, whole-step = reference', () => {
  const shapes = [
    { dim: 16, heads: 2, context: 12, hidden: 32, seed: 7 },
    { dim: 24, heads: 3, context: 9, hidden: 40, seed: 8 },
    { dim: 33, heads: 1, context: 7, hidden: 17, seed: 9 },
    { dim: 64, heads: 8, context: 20, hidden: 100, seed: 10 },
    { dim: 128, heads: 4, context: 16, hidden: 256, seed: 11 },
  ];
  for (const shape of shapes) {
    const model = tinyTransformer(shape);
    const wasm = new Runner(model, { kernels });
    const tok = model.layout.tokenizer!;
    const inputs: RunInput[] = ['a', 'abc', 'hgfedcba', 'abcabcab'].slice(0, shape.context).flatMap((p, i) => {
      const prompt = Array.from(tok.encode(p)).slice(0, shape.context);
      return [{ prompt }, { prompt, seed: 31 * i + shape.seed }];
    });
    assertSame(model, inputs, wasm, `decoder ${JSON.stringify(shape)}`);
    wasm.close();
  }
  for (const seed of [1, 2, 3]) {
    const model = tinyMlp({ seed, inputs: 8 + seed * 5, hidden: 16 + seed, classes: 3 + seed });
    const wasm = new Runner(model, { kernels });
    const rng = new SeededRandom(seed);
    const n = model.nodes.find((x) => x.op === 'vector')!.size;
    const inputs: RunInput[] = Array.from({ length: 8 }, (_, i) => ({ vector: Array.from({ length: n }, (_, j) => (i === 0 ? -128 : i === 1 ? 127 : (rng.nextU32() % 256) - 128) + 0 * j) }));
    assertSame(model, inputs, wasm, `mlp ${seed}`);
    wasm.close();
  }
});

/** int32 values including the extremes and values around them, for lut tables. */
function extremeTable(rng: SeededRandom): Int32Array {
  const special = [INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, -1, 1, 1 << 30, -(1 << 30), 65536, -65537];
  return Int32Array.from({ length: 256 }, () => (rng.nextU32() % 3 === 0 ? special[rng.nextU32() % special.length]! : rng.nextU32() | 0));
}

function int8s(rng: SeededRandom, n: number): Int8Array {
  return Int8Array.from({ length: n }, () => (rng.nextU32() % 256) - 128);
}

/**
 * A random classify graph over every program op. Nodes are added one at a time and kept only if the graph still
 * validates (the loader proves ranges, so an op whose bounds could overflow is dropped and another is tried).
 */
function randomGraph(seed: number): LoadedModel {
  const rng = new SeededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextU32() % xs.length]!;
  const int = (lo: number, hi: number) => lo + (rng.nextU32() % (hi - lo + 1));
  const n = int(1, 24);
  const g = new GraphBuilder({ name: 'random-graph', description: 'random program-op graph (tests)', task: 'classify', contextLength: 1, vocabSize: n });
  const x = g.vector(n);
  const wide = () => pick([{ lo: INT32_MIN, hi: INT32_MAX }, { lo: -(1 << 20), hi: 1 << 20 }, { lo: int(-300, 0), hi: int(0, 300) }, { lo: -128, hi: 127 }]);
  const ofSize = (size: number): number[] => g.nodes.map((nd, id) => (nd.size === size ? id : -1)).filter((id) => id >= 0);
  const any = () => int(0, g.nodes.length - 1);
  let last = x;
  let kept = 0;
  for (let attempt = 0; attempt < 80 && kept < 28; attempt++) {
    const before = g.nodes.length;
    const a = any();
    const sa = g.size(a);
    try {
      switch (pick(['lut', 'requant', 'add', 'sub', 'max2', 'muldiv', 'isqrt', 'mod', 'select', 'relu', 'matvec', 'dot', 'gather', 'reduce', 'scan', 'count'])) {
        case 'lut': last = g.lut(a, extremeTable(rng)); break;
        case 'requant': {
          const mul = pick([int(-(2 ** 22 - 1), 2 ** 22 - 1), 2 ** 22 - 1, -(2 ** 22 - 1), 1, -1, 0]);
          const w = wide();
          last = rng.nextU32() % 3 === 0
            ? g.requant(a, { muls: Int32Array.from({ length: sa }, () => int(-(2 ** 22 - 1), 2 ** 22 - 1)), shift: int(0, 52), ...w })
            : g.requant(a, { mul, shift: pick([0, 1, 2, int(0, 52), 52, 31]), ...w });
          break;
        }
        case 'add': case 'sub': case 'max2': {
          const op = pick(['add', 'sub', 'max2'] as const);
          const bdiv = pick([1, sa, int(1, sa)]);
          const b = pick([...ofSize(sa), ...ofSize(1), any()]);
          const o = { ...wide(), bdiv };
          last = op === 'add' ? g.add(a, b, o) : op === 'sub' ? g.sub(a, b, o) : g.node('max2', sa, { a, b, p: [o.lo, o.hi, bdiv, 0, 0, 0, 0, 0] });
          break;
        }
        case 'muldiv': {
          const useB = rng.nextU32() % 2 === 0;
          const gain = rng.nextU32() % 2 === 0 ? int8s(rng, int(1, sa)) : undefined;
          last = g.muldiv(a, { ...wide(), mul: pick([1, -1, int(-200, 200), 2 ** 22 - 1]), gain, ...(useB ? { den: any(), bdiv: int(1, sa) } : { constDen: pick([1, -1, 2, -3, int(-1000, 1000) || 7, INT32_MIN, INT32_MAX]) }) });
          break;
        }
        case 'isqrt': last = g.isqrt(a, pick([0, 1, int(0, 1000), INT32_MAX])); break;
        case 'mod': last = g.mod(a, any(), int(1, sa)); break;
        case 'select': {
          const b = pick(ofSize(sa));
          last = g.select(pick(ofSize(1).length ? ofSize(1) : [a]), a, b);
          break;
        }
        case 'relu': last = g.relu(a); break;
        case 'matvec': {
          const rows = int(1, 40);
          last = g.matvec(a, int8s(rng, rows * sa), rows, rng.nextU32() % 2 ? Int32Array.from({ length: rows }, () => int(-(2 ** 30), 2 ** 30)) : undefined);
          break;
        }
        case 'dot': {
          const C = pick([1, sa].filter((c) => sa % c === 0));
          last = g.dot(a, pick([a, ...ofSize(sa)]), C);
          break;
        }
        case 'gather': {
          const idx = pick(ofSize(1).length ? ofSize(1) : [a]);
          const rows = int(1, 20);
          const width = int(1, 33);
          last = g.gather(idx, int8s(rng, rows * width), rows, width);
          break;
        }
        case 'reduce': {
          const divisors = Array.from({ length: sa }, (_, i) => i + 1).filter((c) => sa % c === 0);
          const C = pick(divisors);
          last = pick([() => g.reduceSum(a, C), () => g.reduceMax(a, C), () => g.argmax(a, C)])();
          break;
        }
        case 'scan': last = g.scanAdd(a, pick(Array.from({ length: sa }, (_, i) => i + 1).filter((c) => sa % c === 0))); break;
        case 'count': {
          const C = pick(Array.from({ length: sa }, (_, i) => i + 1).filter((c) => sa % c === 0));
          last = g.countLe(a, pick([...ofSize(sa / C), a].filter((id) => g.size(id) === sa / C)), C);
          break;
        }
      }
      g.output(last);
      g.build();
      kept++;
    } catch {
      g.nodes.length = before;
      g.names.length = before;
    }
  }
  g.output(g.nodes.length - 1);
  return g.build();
}

test('random graphs over every program op with int32 extremes (lut tables holding ±2^31): whole-step = reference', () => {
  const seen = new Set<string>();
  for (let seed = 1; seed <= 60; seed++) {
    const model = randomGraph(seed);
    for (const nd of model.nodes) seen.add(nd.op);
    const wasm = new Runner(model, { kernels });
    assert.equal(wasm.wholeStep, true);
    const rng = new SeededRandom(seed * 13);
    const size = model.nodes[0]!.size;
    const inputs: RunInput[] = [
      { vector: new Array(size).fill(-128) },
      { vector: new Array(size).fill(127) },
      ...Array.from({ length: 4 }, () => ({ vector: Array.from({ length: size }, () => (rng.nextU32() % 256) - 128) })),
    ];
    assertSame(model, inputs, wasm, `random graph ${seed}`);
    wasm.close();
  }
  for (const op of ['lut', 'requant', 'add', 'sub', 'max2', 'muldiv', 'isqrt', 'mod', 'select', 'relu', 'matvec', 'dot', 'gather', 'reduce_sum', 'reduce_max', 'argmax', 'scan_add', 'count_le']) {
    assert.ok(seen.has(op), `no random graph used ${op}`);
  }
});

test('muldiv in 32-bit integers (division by an invariant via multiplication) at the edges of its proven bounds', () => {
  const rng = new SeededRandom(404);
  let fast = 0;
  // (largest |a·m|, largest |den|) pairs at the edges of 2|a·m| + |den| < 2^32, |a·m| ≤ 2^31 − 1, |den| ≤ 2^30.
  const bounds: [number, number][] = [[2 ** 31 - 1, 1], [3 * 2 ** 29 - 1, 2 ** 30 - 1], [2 ** 30, 2 ** 30], [1000, 3], [127 * 127, 2 ** 30], [5, 1]];
  for (const [numMax, denMax] of bounds) {
    for (const mul of [1, -1, 7, -(2 ** 22 - 1)]) {
      const aMax = Math.max(1, Math.floor(numMax / Math.abs(mul)));
      for (const gain of [false, true]) {
        const n = 1 + (rng.nextU32() % 23);
        const g = new GraphBuilder({ name: 'muldiv-edges', description: 'muldiv edge cases (tests)', task: 'classify', contextLength: 1, vocabSize: n });
        const x = g.vector(n);
        const gains = gain ? Int8Array.from({ length: n }, (_, i) => (i === 0 ? -128 : i === 1 ? 127 : (rng.nextU32() % 256) - 128)) : undefined;
        const gMax = gain ? 128 : 1;
        const aTop = Math.max(1, Math.floor(aMax / gMax));
        // Tables: the extremes themselves, ±1 around them, exact halves, zero, small values, powers of two.
        const aTable = Int32Array.from({ length: 256 }, (_, i) => [aTop, -aTop, aTop - 1, 1 - aTop, 0, 1, -1, 2 ** (i % 31) % (aTop + 1)][i % 8]! * (i % 16 < 8 ? 1 : -1) || 0);
        const dTable = Int32Array.from({ length: 256 }, (_, i) => [denMax, -denMax, 1, -1, 0, 2, 3, 2 ** (i % 31) % (denMax + 1) || 1][i % 8]!);
        const a = g.lut(x, aTable);
        const den = g.lut(x, dTable);
        const rowDen = g.lut(g.argmax(x, n), dTable);
        const w = pick(rng, [{ lo: INT32_MIN, hi: INT32_MAX }, { lo: -127, hi: 127 }, { lo: 0, hi: 5 }]);
        const outs = [
          g.muldiv(a, { ...w, den, bdiv: 1, mul, gain: gains }),
          g.muldiv(a, { ...w, den: rowDen, bdiv: n, mul, gain: gains }),
          g.muldiv(a, { ...w, constDen: pick(rng, [denMax, -denMax, 1, -1, 3]), mul, gain: gains }),
        ];
        g.output(g.add(outs[0]!, g.add(outs[1]!, outs[2]!, { lo: INT32_MIN, hi: INT32_MAX }), { lo: INT32_MIN, hi: INT32_MAX }));
        const model = g.build();
        const flagged = outs.filter((id) => programFlags('muldiv', model.nodes[id]!.p, model.layout.ranges[model.nodes[id]!.a]!, model.nodes[id]!.b >= 0 ? model.layout.ranges[model.nodes[id]!.b]! : null, gains ? { lo: -128, hi: 127 } : null, n) & PROGRAM_FLAG_U32_DIV);
        fast += flagged.length;
        const wasm = new Runner(model, { kernels });
        const inputs: RunInput[] = Array.from({ length: 12 }, (_, k) => ({ vector: Array.from({ length: n }, (_, j) => (k < 8 ? ((k * 32 + j * 37) % 256) - 128 : (rng.nextU32() % 256) - 128)) }));
        assertSame(model, inputs, wasm, `muldiv bounds ${numMax}/${denMax} mul ${mul} gain ${gain}`);
        wasm.close();
      }
    }
  }
  assert.ok(fast >= 100, `only ${fast} muldiv nodes took the 32-bit path`);
});

test('muldivU32 = muldivReference on ties, ±1 around them and random numerators for many denominators (a one-record program)', () => {
  const rng = new SeededRandom(77);
  const programs = kernels.programs!;
  const n = 1024;
  const vectors = kernels.createVectors([n, n, n, n], []);
  let [a, b, out, ref] = vectors.int32 as Int32Array[];
  const dens = [1, 2, 3, 5, 7, 10, 255, 256, 257, 65535, 65536, 65537, 2 ** 29 - 1, 2 ** 29 + 1, 2 ** 30 - 1, 2 ** 30];
  for (let k = 0; k < 24; k++) dens.push(1 + (rng.nextU32() % 2 ** 30));
  let checked = 0;
  for (const d0 of dens) {
    for (const den of [d0, -d0]) {
      for (const m of [1, -1, 3, -(2 ** 22 - 1)]) {
        // The 32-bit path's preconditions: |a·m| ≤ 2^31 − 1 and 2|a·m| + |den| < 2^32.
        const numMax = Math.min(2 ** 31 - 1, Math.floor((2 ** 32 - 1 - Math.abs(den)) / 2));
        const aMax = Math.floor(numMax / Math.abs(m));
        for (let i = 0; i < n; i++) {
          let v: number;
          if (i % 4 === 0) v = (rng.nextU32() % (2 * aMax + 1)) - aMax;
          else {
            // Near a tie of roundDiv: |a·m| ≈ (2k − 1)·|den| / 2, then −2..+2 (only reachable exactly for m = ±1).
            const k = 1 + (rng.nextU32() % Math.max(1, Math.floor(numMax / Math.abs(den))));
            v = Math.round(((2 * k - 1) * Math.abs(den)) / 2 / Math.abs(m)) + (i % 5) - 2;
            if (rng.nextU32() % 2) v = -v;
          }
          a![i] = Math.max(-aMax, Math.min(aMax, v));
        }
        a![0] = aMax;
        a![1] = -aMax;
        a![2] = 0;
        const perElement = rng.nextU32() % 2 === 0;
        b!.fill(den);
        if (perElement) for (let i = 0; i < n; i += 7) b![i] = i % 14 === 0 ? 0 : den; // den = 0 gives 0
        const [lo, hi] = pick(rng, [[INT32_MIN, INT32_MAX], [-127, 127], [3, 9]] as const);
        const words = encodeProgram([{ code: 46, size: n, out: programs.offsetOf(out!), a: programs.offsetOf(a!), b: programs.offsetOf(b!), c: 0, w0: 0, w1: 0, sizeA: n, sizeB: n, p: [lo, hi, perElement ? 1 : n, m, 0, 0], flags: PROGRAM_FLAG_U32_DIV }]);
        const prog = programs.createProgram(words, n);
        vectors.refresh();
        [a, b, out, ref] = vectors.int32 as Int32Array[];
        prog.run(0, 1, 0, -1, -1);
        referenceKernels.muldiv(a!, b!, null, { lo, hi, bdiv: perElement ? 1 : n, m, d: 0 }, ref!);
        assert.deepEqual(out, ref, `den ${den} m ${m}`);
        prog.free();
        checked += n;
      }
    }
  }
  vectors.free();
  assert.ok(checked > 300_000);
});

test('requantHi = requantReference at every shift 1..52 on ties ±2, extremes and random values, with x pre-shifted when m has no room (one-record programs)', () => {
  const rng = new SeededRandom(91);
  const programs = kernels.programs!;
  const n = 515; // 128 blocks of 4 and a scalar tail of 3
  const vectors = kernels.createVectors([n, n, n, n], []);
  let [x, mt, out, ref] = vectors.int32 as Int32Array[];
  let checked = 0;
  let preShifted = 0;
  for (let s = 1; s <= 52; s++) {
    for (const perElement of [false, true]) {
      // |m| up to 2^22 − 1; x as large as the flag allows: 2^max(0, 32−s) split between m and x (the pre-shift
      // ex of x), and every unclamped result inside int32 (|x·m| < 2^(31+s) − 2^s).
      const mMax = pick(rng, [2 ** 22 - 1, Math.max(1, Math.min(2 ** 22 - 1, Math.floor(INT32_MAX / 2 ** Math.max(0, 32 - s)))), 3]);
      const e = Math.max(0, 32 - s);
      let xMax = Math.min(INT32_MAX, Math.floor((2 ** (31 + s) - 2 ** s) / mMax));
      let ex = requantPreShift({ lo: -xMax, hi: xMax }, { lo: -mMax, hi: mMax }, s);
      while (ex < 0) {
        xMax = Math.floor(xMax / 2);
        ex = requantPreShift({ lo: -xMax, hi: xMax }, { lo: -mMax, hi: mMax }, s);
      }
      if (e > 0 && ex > 0) preShifted++;
      for (const m of [mMax, -mMax, 1, -1, 1 + (rng.nextU32() % mMax)]) {
        for (let i = 0; i < n; i++) {
          const mi = perElement ? (i % 3 === 0 ? mMax : i % 3 === 1 ? -mMax : (rng.nextU32() % (2 * mMax + 1)) - mMax) : m;
          mt![i] = mi;
          let v: number;
          if (i % 4 === 0 || mi === 0) v = (rng.nextU32() % (2 * xMax + 1)) - xMax;
          else {
            // x·m near (2k + 1)·2^(s−1): the ties of roundShift, and ±2 around them.
            const k = rng.nextU32() % 1000;
            v = Math.round(((2 * k + 1) * 2 ** (s - 1)) / mi) + (i % 5) - 2;
            if (rng.nextU32() % 2) v = -v;
          }
          x![i] = Math.max(-xMax, Math.min(xMax, v));
        }
        x![0] = xMax;
        x![1] = -xMax;
        x![2] = 0;
        const clamp = rng.nextU32() % 3 === 0;
        const [lo, hi] = clamp ? [-127, 127] : [INT32_MIN, INT32_MAX];
        const words = encodeProgram([{ code: 40, size: n, out: programs.offsetOf(out!), a: programs.offsetOf(x!), b: 0, c: 0, w0: perElement ? programs.offsetOf(mt!) : 0, w1: 0, sizeA: n, sizeB: 0, p: [perElement ? 0 : m, s, lo, hi, 0, 0], flags: PROGRAM_FLAG_MULHI | (clamp ? PROGRAM_FLAG_I32 : PROGRAM_FLAG_NO_CLAMP), ex }]);
        const prog = programs.createProgram(words, n);
        vectors.refresh();
        [x, mt, out, ref] = vectors.int32 as Int32Array[];
        prog.run(0, 1, 0, -1, -1);
        referenceKernels.requant(x!, perElement ? mt! : null, { m: perElement ? 0 : m, shift: s, lo, hi }, ref!);
        assert.deepEqual(out, ref, `s ${s} m ${perElement ? 'tensor' : m}`);
        prog.free();
        checked += n;
      }
    }
  }
  vectors.free();
  assert.ok(checked > 100_000);
  assert.ok(preShifted > 10, `only ${preShifted} cases pre-shifted x`);
});

function pick<T>(rng: SeededRandom, xs: readonly T[]): T {
  return xs[rng.nextU32() % xs.length]!;
}

test('happy-path runs in one wasm call (runGenerate, greedy and seeded) = the reference: outputs, steps, hashes, eos, maxTokens, full context', () => {
  const tok = sort.layout.tokenizer!;
  const C = sort.meta.contextLength;
  const wasm = new Runner(sort, { kernels });
  const ref = new Runner(sort, { kernels: referenceKernels });
  const rng = new SeededRandom(12);
  const prompts = generateTask(4242, 24).map((e) => Array.from(tok.encode(e.prompt)));
  prompts.push(Array.from({ length: C }, () => 4 + (rng.nextU32() % 16)), [tok.eosId], [1], Array.from({ length: C - 1 }, () => 3));
  for (const [i, prompt] of prompts.entries()) {
    for (const [maxTokens, seed] of [[undefined, null], [1, null], [2, null], [5, null], [100, null], [undefined, i], [3, 2n ** 64n - 1n - BigInt(i)], [undefined, 2n ** 32n + BigInt(i)]] as const) {
      const a = ref.run({ prompt, maxTokens, seed });
      const b = wasm.run({ prompt, maxTokens, seed });
      assert.deepEqual(b.output, a.output);
      assert.equal(b.steps, a.steps);
      assert.deepEqual(b.outputHash, a.outputHash);
      assert.equal(b.trace, null);
    }
  }
  wasm.close();
  ref.close();
  // A decoder with a different token / output layout, and one whose fallback segments rule the one-call path out.
  const model = tinyTransformer({ dim: 32, heads: 4, context: 10, hidden: 48, seed: 21 });
  const prompt = Array.from(model.layout.tokenizer!.encode('abcd'));
  const expected = new Runner(model, { kernels: referenceKernels }).run({ prompt });
  for (const programOps of [PROGRAM_OP_CODES, new Set([10, 20, 21])]) {
    const r = new Runner(model, { kernels, programOps });
    assert.deepEqual(r.run({ prompt }).output, expected.output);
    assert.deepEqual(r.run({ prompt: [prompt[0]!] }).outputHash, new Runner(model, { kernels: referenceKernels }).run({ prompt: [prompt[0]!] }).outputHash);
    r.close();
  }
});

test('keccak256 and the prng in wasm = src/crypto keccak256 and ops/sources prng, without touching the heap', async () => {
  const programs = kernels.programs!;
  const rng = new SeededRandom(3);
  const vectors = kernels.createVectors([], [400]);
  for (let len = 0; len <= 300; len++) {
    vectors.refresh();
    const buf = vectors.int8[0]!;
    const data = rng.bytes(len);
    buf.set(new Int8Array(data.buffer, data.byteOffset, len));
    assert.deepEqual(programs.keccakAt(buf.byteOffset, len), keccak256(data), `length ${len}`);
  }
  vectors.free();
  const seeds = [0n, 1n, 255n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, 0x0123456789abcdefn];
  for (let k = 0; k < 8; k++) seeds.push((BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32()));
  for (const seed of seeds) {
    for (const t of [0, 1, 2, 17, 255, 256, 4095, 65536, 2 ** 31 - 1]) assert.equal(programs.prng(seed, t), prng(seed, t), `seed ${seed} t ${t}`);
  }
  // The hash's static buffers stay below the heap: the first block of a fresh instance (at the heap base) is intact.
  const fresh = await createWasmKernels();
  const first = fresh.prepareMatrix(Int8Array.from({ length: 64 }, (_, i) => i - 32), 8, 8);
  for (let t = 0; t < 50; t++) fresh.programs!.prng(2n ** 64n - 1n, t);
  assert.deepEqual(first.readRows(0, 8), Int8Array.from({ length: 64 }, (_, i) => i - 32));
});

test('happy-path liveness: without a seed the sampler branch that select discards is dead, with one the greedy argmax', () => {
  const id = (op: string) => sort.nodes.findIndex((n) => n.op === op);
  const unseeded = liveFor(sort, false);
  const seeded = liveFor(sort, true);
  assert.ok(unseeded.has(id('argmax')) && !unseeded.has(id('count_le')) && !unseeded.has(id('scan_add')) && !unseeded.has(id('random')));
  assert.ok(seeded.has(id('count_le')) && seeded.has(id('random')) && !seeded.has(id('argmax')));
  // Everything else (embeddings, both layers, the KV inputs, the logits) is live either way.
  for (const op of ['token', 'position', 'gather', 'attn_scores', 'attn_mix', 'matvec', 'select', 'seeded']) {
    assert.ok(unseeded.has(id(op)) && seeded.has(id(op)), op);
  }
  assert.equal(unseeded.size + 10, sort.nodes.length); // requant, reduce_max, sub, lut, scan_add, reduce_sum, random, mod, count_le, requant
});

test('ops left on the per-node path between program segments (the fallback) give the same traces', () => {
  const tok = sort.layout.tokenizer!;
  const prompts = generateTask(99, 6).map((e) => Array.from(tok.encode(e.prompt)));
  const inputs: RunInput[] = prompts.flatMap((prompt, i) => [{ prompt }, { prompt, seed: i }]);
  const subsets = [
    new Set([10, 20, 21]), // only the matmuls in wasm
    new Set([...PROGRAM_OP_CODES].filter((c) => c !== 40 && c !== 21)), // requant and attn_mix in JS
    new Set([...PROGRAM_OP_CODES].filter((_, i) => i % 2 === 0)),
  ];
  for (const programOps of subsets) {
    const wasm = new Runner(sort, { kernels, programOps });
    assert.equal(wasm.wholeStep, true);
    assertSame(sort, inputs, wasm, `programOps ${[...programOps].join(',')}`);
    wasm.close();
  }
  const perNode = new Runner(sort, { kernels, programOps: new Set() });
  assert.equal(perNode.wholeStep, false);
  assertSame(sort, inputs, perNode, 'per-node wasm');
  perNode.close();
});

test('profiling re-runs (one op kind at a time) change nothing and report every kind of the program', () => {
  const tok = sort.layout.tokenizer!;
  const kinds = new Map<string, number>();
  const profiler: OpProfiler = { now: () => 0, record() {}, recordKind: (op) => void kinds.set(op, (kinds.get(op) ?? 0) + 1) };
  const wasm = new Runner(sort, { kernels });
  const ref = new Runner(sort, { kernels: referenceKernels });
  for (const [i, e] of generateTask(5, 8).entries()) {
    const prompt = Array.from(tok.encode(e.prompt));
    const a = ref.run({ prompt, seed: i }, { trace: true });
    const b = wasm.run({ prompt, seed: i }, { trace: true, profiler });
    assert.deepEqual(b.trace, a.trace);
    assert.deepEqual(b.outputHash, a.outputHash);
  }
  const programKinds = new Set(sort.nodes.filter((n) => sort.layout.defs[sort.nodes.indexOf(n)]!.kind !== 'source').map((n) => n.op));
  assert.deepEqual(new Set([...kinds.keys()].filter((k) => k !== '')), programKinds);
  assert.ok(kinds.has(''), 'the empty pass (call cost) is reported');
  wasm.close();
  ref.close();
});

test('the whole-step path stays exact after other runners grow the shared memory between its runs', () => {
  const model = tinyTransformer({ dim: 64, heads: 4, context: 16, hidden: 128 });
  const prompt = Array.from(model.layout.tokenizer!.encode('abcab'));
  const ref = new Runner(model, { kernels: referenceKernels });
  const expected = ref.run({ prompt, seed: 9 }, { trace: true });
  const wasm = new Runner(model, { kernels });
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(wasm.run({ prompt, seed: 9 }, { trace: true }).trace, expected.trace);
    const other = new Runner(tinyTransformer({ dim: 256, heads: 4, context: 32, hidden: 1024, seed: round }), { kernels });
    other.run({ prompt, maxTokens: 2 });
    other.close();
  }
  assert.deepEqual(wasm.run({ prompt, seed: 9 }).outputHash, expected.outputHash);
  wasm.close();
  ref.close();
});

test('programs refuse bad words, bad ranges and use after free with KernelShapeError', () => {
  const programs = kernels.programs!;
  assert.throws(() => programs.createProgram(new Int32Array(3), 16), KernelShapeError);
  assert.throws(() => encodeProgram([{ code: 1, size: 1, out: 0, a: 0, b: 0, c: 0, w0: 0, w1: 0, sizeA: 0, sizeB: 0, p: [], flags: 0 }]), KernelShapeError);
  assert.throws(() => programs.offsetOf(new Int32Array(4)), KernelShapeError);
  const p = programs.createProgram(encodeProgram([]), 16);
  p.run(0, 0, 0, -1, -1);
  assert.throws(() => p.run(0, 1, 0, -1, -1), KernelShapeError);
  p.free();
  assert.throws(() => p.run(0, 0, 0, -1, -1), KernelShapeError);
  assert.deepEqual(opMask([10, 40, 63]), [1 << 10, (1 << 8) | (1 << 31)]);
  assert.deepEqual(opMask(null), [-1, -1]);
});
