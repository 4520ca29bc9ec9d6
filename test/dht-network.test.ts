/**
 * Real processes (issue 3, "Real network test"): five `hyperspace dht start` OS processes on
 * 127.0.0.1 form a network over libp2p TCP; a separate `hyperspace dht put` process stores a signed
 * record; every node finds it (asked through its `--control stdin` channel, so the lookup is the
 * node's own); one process is killed (SIGKILL, no goodbye) and the record is still found by the
 * others and by a fresh `hyperspace dht get` process. Keystores are made by `hyperspace id new`
 * with a light scrypt (HYPERSPACE_KEYSTORE_SCRYPT_N) and c1 = 4. Children are always killed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { main } from '../src/cli/main.ts';
import type { CliIo } from '../src/cli/io.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node');
const BIN = join(ROOT, 'bin', 'hyperspace.js');
const C1 = '4';
const ENV = { ...process.env, HYPERSPACE_PASSWORD: 'dht network test', HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' };

interface Node {
  child: ChildProcessWithoutNullStreams;
  lines: Record<string, unknown>[];
  stderr: string;
  waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[];
  exited: boolean;
}

const children: Node[] = [];
let dir = '';

after(async () => {
  for (const n of children) if (!n.exited) n.child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startNode(args: string[]): Node {
  const child = spawn(NODE24, [BIN, 'dht', 'start', ...args, '--c1', C1, '--control', 'stdin', '--json'], { cwd: ROOT, env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  const node: Node = { child, lines: [], stderr: '', waiters: [], exited: false };
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const l = JSON.parse(text) as Record<string, unknown>;
      node.lines.push(l);
      node.waiters = node.waiters.filter((w) => (w.match(l) ? (w.resolve(l), false) : true));
    }
  });
  child.stderr.on('data', (d: Buffer) => (node.stderr += d.toString()));
  child.on('exit', () => (node.exited = true));
  children.push(node);
  return node;
}

// Waits are for events (a line, an exit); their caps only turn a hang into a failure. They are far above what a
// step takes even at load 15 on 2 cores (a node process alone takes ~5 s to print `listening` there).
function waitLine(node: Node, match: (l: Record<string, unknown>) => boolean, ms = 120_000): Promise<Record<string, unknown>> {
  const seen = node.lines.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching line in ${ms} ms; stderr: ${node.stderr.slice(-2000)}`)), ms);
    node.waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
  });
}

let nextId = 1;
async function control(node: Node, command: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = nextId++;
  node.child.stdin.write(JSON.stringify({ id, ...command }) + '\n');
  return waitLine(node, (l) => l['id'] === id);
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE24, [BIN, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

test('real processes: five dht nodes on 127.0.0.1 store a signed record, every node finds it, and still after one is killed', async () => {
  dir = await mkdtemp(join(tmpdir(), 'hyperspace-dht-'));
  const io: CliIo = { stdout: () => {}, stderr: () => {}, env: ENV, interactive: false };
  const keystores: string[] = [];
  // independent steps run side by side (keystores here, lookups below): on a loaded machine each one mostly waits
  for (let i = 0; i < 5; i++) keystores.push(join(dir, `node${i}.json`));
  const made = await Promise.all(keystores.map((path) => main(['id', 'new', '--difficulty', C1, '--keystore', path, '--workers', '1'], io)));
  assert.deepEqual(made, [0, 0, 0, 0, 0]);
  // node 0 first; the others join through it (nodes 3 and 4 through node 1 as well)
  const nodes = [startNode(['--keystore', keystores[0]!, '--listen', '/ip4/127.0.0.1/tcp/0'])];
  const first = await waitLine(nodes[0]!, (l) => l['event'] === 'listening');
  const seed0 = (first['multiaddrs'] as string[])[0]!;
  assert.match(seed0, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/16Uiu2/);
  nodes.push(startNode(['--keystore', keystores[1]!, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', seed0]));
  const seed1 = ((await waitLine(nodes[1]!, (l) => l['event'] === 'listening'))['multiaddrs'] as string[])[0]!;
  for (let i = 2; i < 5; i++) {
    nodes.push(startNode(['--keystore', keystores[i]!, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', seed0, ...(i >= 3 ? ['--bootstrap', seed1] : [])]));
  }
  for (const n of nodes.slice(1)) {
    const b = await waitLine(n, (l) => l['event'] === 'bootstrapped');
    assert.ok((b['seeds'] as number) >= 1, JSON.stringify(b));
  }
  // a separate client process stores a record signed by its own fresh identity
  const put = await runCli(['dht', 'put', '--bootstrap', seed1, '--c1', C1, '--name', 'alpha', '--value', 'hcs://alpha:4000', '--json']);
  assert.equal(put.code, 0, put.stderr);
  const stored = JSON.parse(put.stdout) as { storedAt: number; record: { publisher: string; key: string } };
  assert.ok(stored.storedAt >= 3, `stored at ${stored.storedAt}`);
  // every node finds it with its own lookup
  const found = await Promise.all(nodes.map((n) => control(n, { op: 'get', namespace: '/hcs/', name: 'alpha' })));
  for (const [i, r] of found.entries()) {
    assert.equal(r['ok'], true, `node ${i}: ${JSON.stringify(r)}`);
    const record = r['record'] as { valueText: string; publisher: string };
    assert.equal(record.valueText, 'hcs://alpha:4000');
    assert.equal(record.publisher, stored.record.publisher);
  }
  // kill the first node (the bootstrap node) without a goodbye; the record is still found
  nodes[0]!.child.kill('SIGKILL');
  await new Promise((r) => nodes[0]!.child.once('exit', r));
  const [get, ...after] = await Promise.all([
    runCli(['dht', 'get', '--bootstrap', seed1, '--c1', C1, '--name', 'alpha', '--json']),
    ...nodes.slice(1).map((n) => control(n, { op: 'get', namespace: '/hcs/', name: 'alpha' })),
  ]);
  for (const [i, r] of after.entries()) assert.equal(r['ok'], true, `node ${i + 1} after the kill: ${JSON.stringify(r)}`);
  assert.equal(get.code, 0, get.stderr);
  assert.equal((JSON.parse(get.stdout) as { record: { valueText: string } }).record.valueText, 'hcs://alpha:4000');
  // no node dropped anything as forged or malformed along the way
  const stats = await control(nodes[2]!, { op: 'stats' });
  const dropped = (stats['stats'] as { dropped: Record<string, number> }).dropped;
  const why = JSON.stringify({ dropsByCode: stats['dropsByCode'], lastDrop: (stats['stats'] as { lastDrop: unknown }).lastDrop });
  assert.equal(dropped['bad-signature'], 0, why);
  assert.equal(dropped['malformed'], 0, why);
  // SIGTERM stops a node cleanly with exit code 0
  nodes[4]!.child.kill('SIGTERM');
  const code = await new Promise((r) => nodes[4]!.child.once('exit', r));
  assert.equal(code, 0);
});
