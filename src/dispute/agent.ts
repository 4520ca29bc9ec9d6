/**
 * The agent that plays one side of a dispute against the contract (whitepaper §2.2.5; docs/dispute.md §3).
 * Stateless between calls: each `act` reads the game from the chain, maps it to a state of the pure machine
 * (state-machine.ts) and makes at most one move from its own trace — so a restarted agent recovers its position
 * from chain state and its trace alone. It reads no clock and opens no socket: the chain (viem binding in
 * src/chain/dispute-client.ts) is injected, and the caller decides when to call `act` (e.g. on each event, or
 * well before `deadline`).
 */
import { moverOf, stateFromChain, type DisputeState, type Party } from './state-machine.ts';
import { fromHex } from '../common/bytes.ts';
import { outputTokens } from './output-proofs.ts';
import type { Hex } from './proof-packer.ts';
import type { TraceParty } from './trace-party.ts';

/** DisputeGame.getGame, as the agent needs it. */
export interface GameView {
  a: Hex;
  b: Hex;
  phase: number;
  turn: number;
  level: number;
  logArity: number;
  sumsDepth: number;
  posted: boolean;
  deadline: bigint;
  index: bigint | number;
  element: bigint | number;
  /** A's and B's trace lengths (they differ when the outputs have different lengths). */
  elements: bigint | number;
  elementsB: bigint | number;
  /** Bit 0: A already shown wrong, bit 1: B (stop rule, output mark); applied to every later decision. */
  wrong: number;
  /** A's disputed node (LinksB: A's sums root). */
  nodeA: Hex;
  /** LinksB: A's trace leaf of the disputed element. */
  aux: Hex;
}

/** DisputeGame.Links: what the sums isolation move opens (A's trace leaf and both sums roots). */
export interface Links {
  leafA: Hex;
  sumsRootA: Hex;
  sumsRootB: Hex;
}

export interface DisputeChain {
  game(id: Hex): Promise<GameView>;
  /** The children A posted for the current node (from the latest ChildrenPosted event of `id`). */
  postedChildren(id: Hex): Promise<Hex[]>;
  /** Latest block timestamp, seconds. */
  now(): Promise<bigint>;
  /** A's opening move of the trace bisection: its children of the root. */
  postChildren(id: Hex, children: Hex[]): Promise<void>;
  /** A difference-proof move plus the mover's children of its new node (empty at the leaves). */
  bisect(id: Hex, child: bigint, proof: Hex, children: Hex[]): Promise<void>;
  /** A party's sums root with its first sums move (DisputeGame.SumsPost). */
  postSumsRoot(id: Hex, post: SumsPost): Promise<void>;
  /** `proofs`: the caller's packed operand proofs (TraceParty.elementStep / linkStep). */
  resolveElement(id: Hex, node: bigint, proofs: Hex): Promise<void>;
  resolveLink(id: Hex, node: bigint, proofs: Hex): Promise<void>;
  /** The Links of the game's reduction (its LinksOpened event): the sums isolation move carries them. */
  links(id: Hex): Promise<Links>;
  /** The stop rule at the end of the shorter trace; `proofs` = TraceParty.stopStep. */
  resolveStop(id: Hex, proofs: Hex): Promise<void>;
  /** A's and B's outputs of a game in Output (its OutputDisputed event). */
  outputs(id: Hex): Promise<{ a: Hex; b: Hex }>;
  /** The output check: token j of both outputs against the shared trace (`proof` = leaf ‖ siblings). */
  resolveOutput(id: Hex, j: bigint, outputA: Hex, outputB: Hex, proof: Hex): Promise<void>;
  timeout(id: Hex): Promise<void>;
  /** Pays out a decided game (anyone; once). */
  settle(id: Hex): Promise<void>;
}

/** DisputeGame.SumsPost: the sums root, the proof of its last sum, and the first sums-bisection move. */
export interface SumsPost {
  node: bigint;
  root: Hex;
  lastLeaf: Hex;
  siblings: Hex[];
  child: bigint;
  proof: Hex;
  children: Hex[];
}

/** `settleAt`: this side will settle the decided game, not before that chain time (s; DisputeGame.settleDelay). */
export type ActResult = { state: DisputeState | 'none'; action: 'moved' | 'waiting' | 'done'; move?: string; settleAt?: bigint };

export interface AgentOptions {
  /** 'A' or 'B' in the game. */
  side: Party;
  /** In 'either' states, only A acts (B waits for A or for A's deadline). Default true: saves a duplicate tx. */
  leaveEitherToA: boolean;
  /** Settle a decided game even when this side is not the one expected to (default false). */
  settleEither: boolean;
}

export class DisputeAgent {
  private readonly chain: DisputeChain;
  private readonly party: TraceParty;
  private readonly options: AgentOptions;

  constructor(components: { chain: DisputeChain; party: TraceParty }, options: Partial<AgentOptions> & { side: Party }) {
    this.chain = components.chain;
    this.party = components.party;
    this.options = { leaveEitherToA: true, settleEither: false, ...options };
  }

  /** The side this agent plays (the runner reports its outcome from it). */
  get side(): Party {
    return this.options.side;
  }

  /** Reads the game and makes at most one move. */
  async act(id: Hex): Promise<ActResult> {
    const g = await this.chain.game(id);
    const state = stateFromChain(g.phase, g.turn, g.posted);
    if (state === 'none' || state === 'done') return { state, action: 'done' };
    const me = this.options.side;
    const now = await this.chain.now();
    if (state === 'decided') {
      // settle() only from the settle time (the decided game's deadline: a watcher may still mark an output); the
      // winner settles (both wrong: A); the other side only if the first did not (it may be offline)
      const aRight = (g.turn & 1) !== 0;
      const bRight = (g.turn & 2) !== 0;
      const settler: Party = bRight && !aRight ? 'B' : 'A';
      if (settler !== me && !this.options.settleEither) return { state, action: 'waiting' };
      if (now < g.deadline) return { state, action: 'waiting', settleAt: g.deadline };
      await this.chain.settle(id);
      return { state, action: 'moved', move: 'settle' };
    }
    if (now > g.deadline) {
      // the contract's turn names the late party (LATE_LOSER is its default per state)
      const late: Party = g.turn === 0 ? 'A' : 'B';
      if (late !== me) {
        await this.chain.timeout(id);
        return { state, action: 'moved', move: 'timeout' };
      }
      return { state, action: 'waiting' }; // we were late: the other side (or anyone) ends it
    }
    const mover = moverOf(state);
    // in an 'either' state B leaves the move to A — unless A was already shown wrong (stop rule, output mark): A then
    // has no reason to move, and B, not checked yet, must prove its own element to be rewarded
    const aWrong = (g.wrong & 1) !== 0;
    if (mover !== me && !(mover === 'either' && (me === 'A' || !this.options.leaveEitherToA || aWrong))) return { state, action: 'waiting' };
    const p = this.party;
    const element = Number(g.element);
    const k = 2 ** g.logArity;
    switch (state) {
      case 'trace-post':
        await this.chain.postChildren(id, p.children(g.level, Number(g.index), undefined, k));
        return { state, action: 'moved', move: 'postChildren' };
      case 'trace-a':
      case 'trace-b':
      case 'sums-a':
      case 'sums-b': {
        const sumsOf = state.startsWith('sums') ? element : undefined;
        const links = sumsOf !== undefined && g.level <= g.logArity ? await this.chain.links(id) : undefined;
        const m = p.bisectMove(me, g.level, Number(g.index), await this.chain.postedChildren(id), k, sumsOf, links);
        await this.chain.bisect(id, m.child, m.proof, m.children);
        return { state, action: 'moved', move: 'bisect' };
      }
      case 'trace-step': {
        const info = p.describe(element);
        if (info.description.kind === 'reduction') {
          if (me !== 'A') return { state, action: 'waiting' };
          const o = p.sumsOpening(element);
          const depth = p.sums(element).commitment.depth;
          const children = depth > 0 ? p.children(depth, 0, element, k) : [];
          await this.chain.postSumsRoot(id, { node: o.node, root: o.root, lastLeaf: o.leaf, siblings: o.siblings, child: 0n, proof: '0x', children });
          return { state, action: 'moved', move: 'postSumsRoot' };
        }
        const s = p.elementStep(element);
        await this.chain.resolveElement(id, s.node, s.proofs);
        return { state, action: 'moved', move: 'resolveElement' };
      }
      case 'links-b': {
        const o = p.sumsOpening(element);
        const depth = p.sums(element).commitment.depth;
        const links: Links = { leafA: g.aux, sumsRootA: g.nodeA, sumsRootB: o.root };
        const m = depth > 0 ? p.bisectMove('B', depth, 0, await this.chain.postedChildren(id), k, element, links) : { child: 0n, proof: p.sumsTail(element, links, g.nodeA, o.root, 0), children: [] };
        await this.chain.postSumsRoot(id, { node: o.node, root: o.root, lastLeaf: o.leaf, siblings: o.siblings, ...m });
        return { state, action: 'moved', move: 'postSumsRoot' };
      }
      case 'trace-stop': {
        const len = Math.min(Number(g.elements), Number(g.elementsB));
        await this.chain.resolveStop(id, p.stopStep(element, len));
        return { state, action: 'moved', move: 'resolveStop' };
      }
      case 'trace-output': {
        const o = await this.chain.outputs(id);
        const m = p.outputMove(outputTokens(fromHex(o.a)), outputTokens(fromHex(o.b)), Math.min(Number(g.elements), Number(g.elementsB)));
        if (m.kind === 'token') {
          await this.chain.resolveOutput(id, BigInt(m.j), o.a, o.b, m.proof);
          return { state, action: 'moved', move: 'resolveOutput' };
        }
        await this.chain.resolveStop(id, m.proofs);
        return { state, action: 'moved', move: 'resolveStop' };
      }
      case 'sums-step': {
        const s = p.linkStep(element, Number(g.index));
        await this.chain.resolveLink(id, s.node, s.proofs);
        return { state, action: 'moved', move: 'resolveLink' };
      }
    }
  }
}
