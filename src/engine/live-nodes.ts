/**
 * Happy-path liveness (whitepaper §2.2.5: the happy path needs only the output; engine.md §3.1 sources): which
 * nodes the output can depend on for a greedy or a seeded query, so the one-call wasm programs skip the sampler
 * branch a query can never take. Traced runs compute every node.
 */
import type { LoadedModel } from './model-file.ts';

/**
 * The nodes the output can depend on (at this and, through the token source, later steps) when the query's seed
 * is given (`seeded`) or not: every input of a live node is live, except that a `select` whose condition is the
 * `seeded` source reads only the branch that condition picks (a query constant). KV-cache inputs are inputs.
 */
export function liveFor(model: LoadedModel, seeded: boolean): Set<number> {
  const { nodes } = model;
  const live = new Set<number>();
  const stack = [model.meta.outputNode];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const n = nodes[id]!;
    if (n.op === 'token') stack.push(n.p[1]!);
    if (n.op === 'select' && nodes[n.c]!.op === 'seeded') stack.push(n.c, seeded ? n.a : n.b);
    else for (const i of [n.a, n.b, n.c]) if (i >= 0) stack.push(i);
  }
  return live;
}
