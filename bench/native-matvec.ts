/**
 * The exact native reference of the int8 matrix-vector benchmark (bench/engine.ts; issue 10 §6): builds
 * bench/matvec-int8.c with the system C compiler (`cc -O3 -march=native`, or other flags) into a temporary folder, runs it as a
 * child process holding the weights, and asks it for timed rounds over stdin, so the caller can interleave them
 * with its own. It also returns the C program's outputs for the caller to compare bit for bit before any ratio is
 * reported. No compiler (or a failed build) is a `skipped` note, not an error.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = join(import.meta.dirname, 'matvec-int8.c');
/** The reference build: whatever this CPU does best (AVX-512 VNNI here). */
export const NATIVE_FLAGS = ['-O3', '-march=native'];
/** A second build limited to AVX2 (256-bit vpmaddwd): the instruction class of the wasm kernel's i32x4.dot_i16x8_s. */
export const AVX2_FLAGS = ['-O3', '-mavx2'];

export interface NativeMatvec {
  compiler: string;
  compilerVersion: string;
  flags: string[];
  /** 'avx2' (vpmaddwd path) or 'scalar' (plain C), as the built program reports. */
  path: string;
  /** W · xs[i] for every input vector, from the C program. */
  outputs: Int32Array[];
  /** Runs `calls` products of W with xs[0] in the child; resolves to the child's own elapsed milliseconds. */
  time(calls: number): Promise<number>;
  close(): void;
}

/** The first of cc, gcc, clang that answers --version, or null. */
function findCompiler(): { compiler: string; version: string } | null {
  for (const compiler of ['cc', 'gcc', 'clang']) {
    const r = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { compiler, version: r.stdout.split('\n')[0]!.trim() };
  }
  return null;
}

/** Builds and starts the C reference on W (rows × cols, row-major) and the vectors xs; or says why not. */
export async function startNativeMatvec(w: Int8Array, rows: number, cols: number, xs: Int8Array[], flags: string[] = NATIVE_FLAGS): Promise<NativeMatvec | { skipped: string }> {
  const found = findCompiler();
  if (found === null) return { skipped: 'no C compiler (cc, gcc or clang) on PATH: the exact native reference was not run' };
  const dir = mkdtempSync(join(os.tmpdir(), 'hs-bench-matvec-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const exe = join(dir, 'matvec-int8');
  const build = spawnSync(found.compiler, [...flags, '-o', exe, SOURCE], { encoding: 'utf8' });
  if (build.status !== 0) {
    cleanup();
    return { skipped: `${found.compiler} ${flags.join(' ')} failed: ${(build.stderr || String(build.error)).slice(0, 300)}` };
  }
  const head = new Int32Array([rows, cols, xs.length]);
  const input = new Uint8Array(12 + w.length + xs.length * cols);
  input.set(new Uint8Array(head.buffer), 0);
  input.set(new Uint8Array(w.buffer, w.byteOffset, w.length), 12);
  xs.forEach((x, i) => input.set(new Uint8Array(x.buffer, x.byteOffset, cols), 12 + w.length + i * cols));
  writeFileSync(join(dir, 'in.bin'), input);
  const child: ChildProcessWithoutNullStreams = spawn(exe, [join(dir, 'in.bin'), join(dir, 'out.bin')]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`matvec-int8 exited: ${stderr.trim()}`);
    return r.value;
  };
  try {
    const ready = await nextLine();
    if (!ready.startsWith('ready ')) throw new Error(`matvec-int8 said '${ready}'`);
    const out = readFileSync(join(dir, 'out.bin'));
    const all = new Int32Array(out.buffer, out.byteOffset, out.length / 4);
    return {
      compiler: found.compiler,
      compilerVersion: found.version,
      flags,
      path: ready.slice('ready '.length),
      outputs: xs.map((_, i) => all.slice(i * rows, (i + 1) * rows)),
      async time(calls) {
        child.stdin.write(`${calls}\n`);
        return Number(await nextLine()) / 1e6;
      },
      close() {
        child.stdin.end();
        cleanup();
      },
    };
  } catch (e) {
    child.kill();
    cleanup();
    return { skipped: `the C reference did not start: ${(e as Error).message}` };
  }
}
