// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleLib} from "./lib/MerkleLib.sol";
import {EngineOps} from "./lib/EngineOps.sol";
import {ModelLayouts} from "./ModelLayouts.sol";

/// @title OneStepVerifier — replays ONE step of an execution on chain (whitepaper §2.2.5 "narrowed down to one
/// transaction, which is settled on-chain"; docs/dispute.md §3): one element-wise op (or source), or one link of a
/// reduction. The DESCRIPTION of the element — its op, parameters, which trace elements / weight bytes / query
/// inputs it reads, its link count — is derived here from the registered model layout (ModelLayouts, verified
/// against the model hash), a port of the engine's `describe` (src/engine/ops/*.ts). Callers only name the node
/// that holds the element (checked: offset[n] ≤ position < offset[n] + size[n]) and supply Merkle proofs of the
/// operand values: trace operands against the part of the trace both parties agree on, weights against the
/// model's weights root (depth derived at registration), query inputs against the query's input commitment.
contract OneStepVerifier is ModelLayouts {
    /// Where an operand comes from (derived, never taken from the caller).
    uint8 internal constant K_TRACE = 0; // element `index` of the agreed trace prefix (or of the agreed sums prefix)
    uint8 internal constant K_WEIGHT_I8 = 1; // weights byte `index`
    uint8 internal constant K_WEIGHT_I32 = 2; // little-endian int32 at weights byte `index`
    uint8 internal constant K_CONSTANT = 3; // `value` itself (graph constants)
    uint8 internal constant K_INPUT = 4; // element `index` of the query input (prompt token ids / classify vector)

    /// Proof trees of one step, for the proof cache (a leaf proven once is not proven again in the same step).
    uint8 internal constant T_TRACE = 0; // (1 was the partial sums: the game now fixes sums[s−1] itself)
    uint8 internal constant T_WEIGHTS = 2;
    uint8 internal constant T_INPUT = 3;

    /// The agreed prefix of a tree (trace or partial sums): every leaf before `leafIndex` is equal in both parties'
    /// trees (the bisection proved it), and so are the words of `leaf` before the disputed element `element`.
    /// `root` is the CALLER's root: each party proves operands from its own tree (no second try against the other).
    struct Prefix {
        bytes32 root;
        uint256 depth;
        uint256 element;
        bytes32 leaf;
    }

    /// Reading position in the packed proofs and the leaves proven so far in this step, with their paths. Packed
    /// proofs (docs/dispute.md §3) form a MULTIPROOF per tree: for each operand in derivation order that needs one — a
    /// trace / sums element outside the disputed leaf, a weight, a query input — whose (tree, leaf) was not proven
    /// earlier in the same step: the 32-byte leaf, then its siblings bottom-up, but only up to where its path meets the
    /// path of a leaf of the same tree proven earlier in this step: with m = bitLength(leafIndex XOR earlier) minimal
    /// over the earlier leaves, only the m − 1 siblings below the meeting point are sent (heights 0 … m − 2); the
    /// sibling at height m − 1 is the earlier path's node there, and the node at height m must equal the earlier
    /// path's (which already leads to the root). With no earlier leaf in the tree: all `depth` siblings. The depth
    /// is derived on chain; kind, index and value are derived too; constants and in-leaf operands need no data.
    struct Cursor {
        uint256 off;
        uint256 n;
        uint256[4] keys; // tree << 248 | (leafIndex + 1)
        bytes32[][4] paths; // nodes of each proven leaf's path bottom-up: [0] = the leaf, [depth] = the root
    }

    /// The query's input commitment (docs/dispute.md §1): root of the input values committed like a trace
    /// (8 big-endian int32 per leaf) and their count; Query.promptHash = keccak256(uint256 length ‖ root). And the
    /// sampling seed from the opened params preimage (Query.paramsHash, docs/spec/wire.md §8), for the `random` and
    /// `seeded` sources.
    struct Input {
        bytes32 root;
        uint256 length;
        bool seeded;
        uint64 seed;
    }

    /// Where element `element` sits and what its node is.
    struct Ctx {
        bytes32 model;
        uint256 stepElements;
        uint256 t;
        uint256 pos;
        uint256 node;
        uint256 head;
        uint256 params; // loaded on first use (_p): not every op has parameters
        bool hasParams;
        uint256 ins; // the inputs' offsets and sizes (ModelLayouts.inputs), loaded on first use (_inOff / _inSize)
        bool hasIns;
        uint256 contextLength;
        uint256 weightsDepth;
        uint256 promptLength; // query input count (prompt tokens), for the token source
    }

    struct Ref {
        uint8 kind;
        uint256 index;
        int256 value;
    }

    error OperandNotInPrefix(uint256 index, uint256 disputedElement);
    error BadTraceProof(uint256 index);
    error BadWeightProof(uint256 byteOffset);
    error BadInputProof(uint256 index);
    error WrongNode(uint256 element, uint256 node);
    error NotElementwise(uint256 element, uint256 op);
    error NotReduction(uint256 element, uint256 op);
    error ProofsLength(uint256 given, uint256 needed);
    error InputOutOfRange(uint256 index, uint256 length);

    // ------------------------------------------------------------------ entry points (stateless except layouts)
    /// Value of element-wise (or source) element `trace.element`, held by node `node`, from its operands.
    function elementwise(bytes32 model, uint256 node, Prefix calldata trace, Input calldata input, bytes calldata proofs) external view returns (int256) {
        Ctx memory c = _locate(model, trace.element, node);
        c.promptLength = input.length;
        uint256 op = uint256(word(c.head, 0));
        if (_isReduction(c, op)) revert NotElementwise(trace.element, op);
        if (op == 4 || op == 5) {
            // random: seeded ? prng(seed, t) : 0; seeded: seeded ? 1 : 0 (engine.md §3.1) — no operand to prove
            if (proofs.length != 0) revert ProofsLength(proofs.length, 0);
            if (!input.seeded) return 0;
            return op == 5 ? int256(1) : prng(input.seed, c.t);
        }
        uint256 count = _inputCount(c, op);
        int256[] memory v = new int256[](count);
        Cursor memory cur;
        if (op == 49) {
            // select(a, b, c) = c[0] ≠ 0 ? a[pos] : b[pos]: the condition first, then only the branch it takes (the
            // other cannot change the result, so it is neither read nor proven)
            v[2] = _read(c, trace, T_TRACE, _inputRef(c, op, 2, v), proofs, cur);
            uint256 k = v[2] != 0 ? 0 : 1;
            v[k] = _read(c, trace, T_TRACE, _inputRef(c, op, k, v), proofs, cur);
        } else
            for (uint256 i = 0; i < count; ++i) {
                Ref memory r = _inputRef(c, op, i, v);
                v[i] = r.kind == K_INPUT ? _readInput(input, r.index, proofs, cur) : _read(c, trace, T_TRACE, r, proofs, cur);
            }
        if (cur.off != proofs.length) revert ProofsLength(proofs.length, cur.off);
        if (op == 20) return v[0]; // masked attention slot: the constant
        int256[8] memory p;
        // only requant, add, sub, max2, muldiv, isqrt, rope and mul read parameters in EngineOps.elementwise
        if (op == 40 || (op >= 43 && op <= 47) || op == 50 || op == 51) for (uint256 k = 0; k < 8; ++k) p[k] = _p(c, k);
        return EngineOps.elementwise(op, p, v, word(c.head, 5) >= 0);
    }

    /// engine.md §2: prng(seed, t) = uint32(bytes4(keccak256(abi.encodePacked(uint64(seed), uint32(t))))) & 0x7fffffff.
    function prng(uint64 seed, uint256 t) public pure returns (int256) {
        return int256(uint256(uint32(bytes4(keccak256(abi.encodePacked(seed, uint32(t))))) & 0x7fffffff));
    }

    /// The stop rule (engine.md §5.1) after the last step of a generate run of `len` trace elements: true when the run
    /// had to end there — its `generated` = steps − (P − 1) tokens reached `maxTokens`, or the token chosen at its last
    /// step (the output node's element, read from the agreed prefix `trace` with the caller's packed proof — always
    /// sent when the run has a token, so a caller need not know the rule) is `<eos>`, or that step was the last
    /// position of the context (t = C − 1). A run with no token yet never stops (and takes no proof).
    function stopped(bytes32 model, Prefix calldata trace, uint256 len, uint256 promptLength, uint256 maxTokens, bytes calldata proofs) external view returns (bool) {
        Layout storage L = layouts[model];
        if (L.nodeCount == 0) revert NoLayout(model);
        uint256 steps = len / L.stepElements;
        if (steps < promptLength || steps == 0 || len % L.stepElements != 0) {
            if (proofs.length != 0) revert ProofsLength(proofs.length, 0);
            return false;
        }
        int256 tok = _tokenAt(model, trace, (steps - 1) * L.stepElements + uint32(records[model][2 * uint256(L.outputNode)]), proofs);
        return steps + 1 - promptLength >= maxTokens || steps >= L.contextLength || tok == int256(uint256(L.eosId));
    }

    /// The element trace T (`root`, `depth`) holds where the engine outputs token / value `j` (outputElement), proven
    /// by `proof` = leaf ‖ siblings bottom-up against `root`; ok = false for a malformed or wrong proof. Used by
    /// DisputeGame's output check (T shared by both parties) and output mark (T = the marked party's own trace).
    function outputValue(bytes32 model, uint256 promptLength, uint256 j, bytes32 root, uint256 depth, bytes calldata proof) external view returns (uint256 e, int256 v, bool ok) {
        e = outputElement(model, promptLength, j);
        if (proof.length < 32) return (e, 0, false);
        bytes32 leaf = bytes32(proof[0:32]);
        ok = MerkleLib.verifyPacked(root, depth, e / 8, leaf, proof[32:]);
        v = MerkleLib.traceWord(leaf, e % 8);
    }

    /// Trace element `index` of the agreed prefix, from the disputed leaf or the caller's packed proof (exactly one).
    function _tokenAt(bytes32, Prefix calldata trace, uint256 index, bytes calldata proofs) internal view returns (int256 tok) {
        Cursor memory cur;
        tok = _read(_noCtx(), trace, T_TRACE, Ref(K_TRACE, index, 0), proofs, cur);
        if (cur.off != proofs.length) revert ProofsLength(proofs.length, cur.off);
    }

    function _noCtx() internal pure returns (Ctx memory c) {}

    /// Link count F of reduction element `element` held by node `node` (reverts if it is not a reduction).
    function reductionLinks(bytes32 model, uint256 element, uint256 node) external view returns (uint256) {
        Ctx memory c = _locate(model, element, node);
        uint256 op = uint256(word(c.head, 0));
        if (!_isReduction(c, op)) revert NotReduction(element, op);
        return _links(c, op);
    }

    /// Partial sum `s` of the reduction `trace.element`: s = 0 → the init operand; s ≥ 1 → combine(sums[s−1], link
    /// s−1), with sums[s−1] = `prev` the agreed value the game fixed when it isolated s (DisputeGame._isolate).
    function linkStep(bytes32 model, uint256 node, uint256 s, int256 prev, Prefix calldata trace, bytes calldata proofs) external view returns (int256 v) {
        Cursor memory cur;
        Ctx memory c = _locate(model, trace.element, node);
        uint256 op = uint256(word(c.head, 0));
        if (!_isReduction(c, op)) revert NotReduction(trace.element, op);
        v = s == 0 ? _read(c, trace, T_TRACE, _init(c, op), proofs, cur) : _link(c, op, trace, prev, s - 1, proofs, cur);
        if (cur.off != proofs.length) revert ProofsLength(proofs.length, cur.off);
    }

    /// acc_{j+1} = combine(acc_j, link j) with link j's operands read from the trace prefix / weights.
    function _link(Ctx memory c, uint256 op, Prefix calldata trace, int256 acc, uint256 j, bytes calldata proofs, Cursor memory cur) internal view returns (int256) {
        int256 va = _read(c, trace, T_TRACE, _linkA(c, op, j), proofs, cur);
        int256 vb = op == 30 || op == 31 ? int256(0) : _read(c, trace, T_TRACE, _linkB(c, op, j, acc), proofs, cur);
        return EngineOps.combine(_combiner(op), acc, va, vb, j);
    }

    // ------------------------------------------------------------------ describe (port of src/engine/ops/*.ts)
    function _locate(bytes32 model, uint256 element, uint256 node) internal view returns (Ctx memory c) {
        Layout storage L = layouts[model];
        if (L.nodeCount == 0) revert NoLayout(model);
        if (node >= L.nodeCount) revert WrongNode(element, node);
        c.model = model;
        c.stepElements = L.stepElements;
        c.contextLength = L.contextLength;
        c.weightsDepth = L.weightsDepth;
        c.t = element / c.stepElements;
        uint256 within = element % c.stepElements;
        c.node = node;
        c.head = records[model][2 * node];
        uint256 off = uint32(c.head);
        uint256 size = uint256(word(c.head, 4));
        if (within < off || within >= off + size) revert WrongNode(element, node);
        c.pos = within - off;
    }

    /// Input node id of slot 1 (a), 2 (b), 3 (c).
    function _in(Ctx memory c, uint256 slot) internal pure returns (uint256) {
        return uint256(word(c.head, slot));
    }

    /// Parameter k (p0..p7) of the node, its params word read from storage on first use.
    function _p(Ctx memory c, uint256 k) internal view returns (int256) {
        if (!c.hasParams) {
            c.params = records[c.model][2 * c.node + 1];
            c.hasParams = true;
        }
        return word(c.params, k);
    }

    /// The node's inputs word (offset and size of a, b, c: ModelLayouts.inputs), read from storage on first use.
    function _ins(Ctx memory c) internal view returns (uint256) {
        if (!c.hasIns) {
            c.ins = inputs[c.model][c.node];
            c.hasIns = true;
        }
        return c.ins;
    }

    /// Trace offset (within a step) of input slot 1 (a), 2 (b), 3 (c).
    function _inOff(Ctx memory c, uint256 slot) internal view returns (uint256) {
        return uint32(_ins(c) >> (288 - 64 * slot));
    }

    /// Size of input slot 1 (a), 2 (b), 3 (c).
    function _inSize(Ctx memory c, uint256 slot) internal view returns (uint256) {
        return uint32(_ins(c) >> (256 - 64 * slot));
    }

    /// Element `pos` of input slot `slot` at step `step`.
    function _inRef(Ctx memory c, uint256 step, uint256 slot, uint256 pos) internal view returns (Ref memory) {
        return Ref(K_TRACE, step * c.stepElements + _inOff(c, slot) + pos, 0);
    }

    /// Element `pos` of node `n` at step `step` (the node's offset read from its head word).
    function _traceRef(Ctx memory c, uint256 step, uint256 n, uint256 pos) internal view returns (Ref memory) {
        return Ref(K_TRACE, step * c.stepElements + uint32(records[c.model][2 * n]) + pos, 0);
    }

    function _isReduction(Ctx memory c, uint256 op) internal view returns (bool) {
        if (op == 20) return c.pos % (uint256(word(c.head, 4)) / uint256(_p(c, 0))) <= c.t; // unmasked score
        return op == 10 || op == 11 || op == 21 || (op >= 30 && op <= 33);
    }

    function _combiner(uint256 op) internal pure returns (uint8) {
        if (op == 30) return EngineOps.C_ADD;
        if (op == 31) return EngineOps.C_MAX;
        if (op == 32) return EngineOps.C_ARGMAX;
        if (op == 33) return EngineOps.C_COUNTLE;
        return EngineOps.C_MAC;
    }

    function _links(Ctx memory c, uint256 op) internal view returns (uint256) {
        if (op == 10) return _inSize(c, 1); // matvec: cols = size(a)
        if (op == 20) return _inSize(c, 1) / uint256(_p(c, 0)); // dh = size(a) / H
        if (op == 21) return c.t + 1;
        return uint256(_p(c, 0)); // dot and row reductions: C = p0
    }

    function _init(Ctx memory c, uint256 op) internal view returns (Ref memory) {
        int256 w1 = word(c.head, 6);
        if (op == 10 && w1 >= 0) return Ref(K_WEIGHT_I32, uint256(w1) + 4 * c.pos, 0);
        if (op == 31) return Ref(K_CONSTANT, 0, type(int32).min);
        return Ref(K_CONSTANT, 0, 0);
    }

    function _linkA(Ctx memory c, uint256 op, uint256 j) internal view returns (Ref memory) {
        if (op == 10) return _inRef(c, c.t, 1, j);
        if (op == 20) {
            uint256 H = uint256(_p(c, 0));
            uint256 dh = _inSize(c, 1) / H;
            return _inRef(c, c.t, 1, (c.pos / (uint256(word(c.head, 4)) / H)) * dh + j);
        }
        if (op == 21) {
            uint256 H = uint256(_p(c, 0));
            uint256 dh = uint256(word(c.head, 4)) / H;
            return _inRef(c, c.t, 1, (c.pos / dh) * (_inSize(c, 1) / H) + j);
        }
        return _inRef(c, c.t, 1, c.pos * uint256(_p(c, 0)) + j); // dot, row reductions
    }

    /// Link j's second operand; for argmax the row element at the running index acc.
    function _linkB(Ctx memory c, uint256 op, uint256 j, int256 acc) internal view returns (Ref memory) {
        if (op == 32) return _inRef(c, c.t, 1, c.pos * uint256(_p(c, 0)) + uint256(acc));
        if (op == 10) return Ref(K_WEIGHT_I8, uint256(word(c.head, 5)) + c.pos * _inSize(c, 1) + j, 0);
        if (op == 11) return _inRef(c, c.t, 2, c.pos * uint256(_p(c, 0)) + j);
        if (op == 20) {
            uint256 H = uint256(_p(c, 0));
            uint256 C = uint256(word(c.head, 4)) / H;
            uint256 dh = _inSize(c, 1) / H;
            return _inRef(c, c.pos % C, 2, (c.pos / C) * dh + j); // b at step j = pos mod C
        }
        if (op == 21) return _inRef(c, j, 2, c.pos);
        return _inRef(c, c.t, 2, c.pos); // count_le: threshold b[r]
    }

    function _inputCount(Ctx memory c, uint256 op) internal pure returns (uint256) {
        bool w = word(c.head, 5) >= 0;
        if (op == 50) return 4; // rope: x[i], x[i xor 1], T[t, j, 0], T[t, j, 1]
        if (op == 49) return 3;
        if (op == 46) return w ? 3 : 2;
        if (op == 40) return w ? 2 : 1;
        if (op == 41 || op == 47 || op == 1 || op == 2 || op == 3 || op == 20) return 1;
        return 2;
    }

    /// Input i of an element-wise / source element, given the values of inputs 0..i−1 (gather and lut read a weight
    /// whose offset depends on input 0).
    function _inputRef(Ctx memory c, uint256 op, uint256 i, int256[] memory v) internal view returns (Ref memory) {
        uint256 t = c.t;
        uint256 pos = c.pos;
        if (op == 1) {
            if (t < c.promptLength) return Ref(K_INPUT, t, 0); // prompt token
            return _traceRef(c, t - 1, uint256(_p(c, 1)), 0); // the token chosen at t − 1 (p1 = output node)
        }
        if (op == 2) return Ref(K_INPUT, pos, 0);
        if (op == 3) return Ref(K_CONSTANT, 0, int256(t));
        if (op == 20) return Ref(K_CONSTANT, 0, _p(c, 1)); // masked score
        if (op == 12) {
            if (i == 0) return _inRef(c, t, 1, 0);
            return Ref(K_WEIGHT_I8, uint256(word(c.head, 5) + v[0] * word(c.head, 4)) + pos, 0);
        }
        if (op == 42) {
            if (i == 0) return _inRef(c, t, 1, pos);
            return Ref(K_WEIGHT_I32, uint256(word(c.head, 5) + 4 * (v[0] + 128)), 0);
        }
        if (op == 34) {
            if (i == 0) return pos % uint256(_p(c, 0)) == 0 ? Ref(K_CONSTANT, 0, 0) : Ref(K_TRACE, t * c.stepElements + uint32(c.head) + pos - 1, 0);
            return _inRef(c, t, 1, pos);
        }
        if (op == 50) {
            // rope (engine.md §3.6): the pair partner, then the table entries of row t, column j = pos mod p0
            if (i == 0) return _inRef(c, t, 1, pos);
            if (i == 1) return _inRef(c, t, 1, pos ^ 1);
            uint256 at = uint256(word(c.head, 5)) + 8 * (t * uint256(_p(c, 0)) + (pos % uint256(_p(c, 0))));
            return Ref(K_WEIGHT_I32, i == 2 ? at : at + 4, 0);
        }
        if (i == 0) return _inRef(c, t, 1, pos); // every other op: a[pos] first
        if (op == 40) return Ref(K_WEIGHT_I32, uint256(word(c.head, 5)) + 4 * pos, 0);
        if (op == 49) return i == 1 ? _inRef(c, t, 2, pos) : _inRef(c, t, 3, 0);
        if (op == 46) {
            if (i == 2) return Ref(K_WEIGHT_I8, uint256(word(c.head, 5)) + (pos % uint256(_p(c, 4))), 0);
            if (word(c.head, 2) < 0) return Ref(K_CONSTANT, 0, _p(c, 5));
        }
        // add, sub, max2, mul (bdiv = p2), muldiv (p2), mod (p0): broadcast b[floor(pos / bdiv) mod size(b)]
        uint256 bdiv = uint256(_p(c, op == 48 ? 0 : 2));
        return _inRef(c, t, 2, (pos / bdiv) % _inSize(c, 2));
    }

    // ------------------------------------------------------------------ operand reads
    /// Query input `index` (prompt token / vector element) proven against the input commitment (depth from its length).
    function _readInput(Input calldata input, uint256 index, bytes calldata proofs, Cursor memory cur) internal pure returns (int256) {
        if (index >= input.length) revert InputOutOfRange(index, input.length);
        (bytes32 leaf, bool ok) = _leaf(proofs, cur, T_INPUT, input.root, MerkleLib.traceDepth(input.length), index / 8);
        if (!ok) revert BadInputProof(index);
        return MerkleLib.traceWord(leaf, index % 8);
    }

    function _read(Ctx memory c, Prefix calldata t, uint8 tree, Ref memory r, bytes calldata proofs, Cursor memory cur) internal view returns (int256) {
        if (r.kind == K_CONSTANT) return r.value;
        if (r.kind == K_TRACE) {
            if (r.index >= t.element) revert OperandNotInPrefix(r.index, t.element);
            uint256 leafIndex = r.index / 8;
            if (leafIndex == t.element / 8) return MerkleLib.traceWord(t.leaf, r.index % 8);
            (bytes32 leaf, bool ok) = _leaf(proofs, cur, tree, t.root, t.depth, leafIndex);
            if (!ok) revert BadTraceProof(r.index);
            return MerkleLib.traceWord(leaf, r.index % 8);
        }
        (bytes32 wleaf, bool wok) = _leaf(proofs, cur, T_WEIGHTS, _weightsRoot(c.model), c.weightsDepth, r.index / 32);
        if (!wok) revert BadWeightProof(r.index);
        return r.kind == K_WEIGHT_I8 ? MerkleLib.weightI8(wleaf, r.index) : MerkleLib.weightI32(wleaf, r.index);
    }

    /// The model's weights root, read only when a weight is (a cold slot the other steps skip).
    function _weightsRoot(bytes32 model) internal view returns (bytes32) {
        return layouts[model].weightsRoot;
    }

    /// Leaf `leafIndex` of `tree`: from the cache when already proven in this step, else read from the proofs at the
    /// cursor (leaf ‖ siblings, a multiproof part — see Cursor) and checked against `root`.
    function _leaf(bytes calldata proofs, Cursor memory cur, uint8 tree, bytes32 root, uint256 depth, uint256 leafIndex) internal pure returns (bytes32 leaf, bool ok) {
        uint256 key = (uint256(tree) << 248) | (leafIndex + 1);
        uint256 meet = depth + 1; // lowest meeting height with an earlier path of this tree (depth + 1: none)
        uint256 near;
        for (uint256 i = 0; i < cur.n; ++i) {
            uint256 k = cur.keys[i];
            if (k == key) return (cur.paths[i][0], true);
            if (k >> 248 != tree) continue;
            uint256 m = _bitLength(((k & type(uint248).max) - 1) ^ leafIndex);
            if (m < meet) (meet, near) = (m, i);
        }
        bytes32[] memory path;
        (path, cur.off, ok) = meet > depth ? _prove(proofs, cur.off, root, depth, leafIndex) : _proveBelow(proofs, cur.off, cur.paths[near], meet, leafIndex);
        leaf = path[0];
        if (ok && cur.n < 4) {
            cur.keys[cur.n] = key;
            cur.paths[cur.n] = path;
            ++cur.n;
        }
    }

    /// Number of bits of x (0 for 0): the height at which two leaves whose indices XOR to x meet.
    function _bitLength(uint256 x) internal pure returns (uint256 b) {
        while (x != 0) {
            x >>= 1;
            ++b;
        }
    }

    /// The leaf at byte `at` of the proofs and its `depth` siblings, checked against `root`; the path's nodes and the
    /// cursor after them.
    function _prove(bytes calldata proofs, uint256 at, bytes32 root, uint256 depth, uint256 leafIndex) private pure returns (bytes32[] memory path, uint256 end, bool ok) {
        end = at + 32 * (depth + 1);
        if (end > proofs.length) revert ProofsLength(proofs.length, end);
        path = new bytes32[](depth + 1);
        _climb(proofs, at, path, depth, leafIndex);
        ok = leafIndex >> depth == 0 && path[depth] == root;
    }

    /// The leaf at byte `at` and its siblings below height meet − 1; the sibling at height meet − 1 is `other`'s node
    /// there (the path of an earlier leaf that meets this one at height `meet`), and the node at `meet` must be
    /// other's. Above, the paths are one, so the path keeps nodes 0 … meet only: a later leaf is only ever checked
    /// against it below that height (it meets `other` no higher, and `_leaf` prefers the earlier path on a tie).
    function _proveBelow(bytes calldata proofs, uint256 at, bytes32[] memory other, uint256 meet, uint256 leafIndex) private pure returns (bytes32[] memory path, uint256 end, bool ok) {
        end = at + 32 * meet;
        if (end > proofs.length) revert ProofsLength(proofs.length, end);
        path = new bytes32[](meet + 1);
        bytes32 node = _climb(proofs, at, path, meet - 1, leafIndex);
        bytes32 s = other[meet - 1];
        node = (leafIndex >> (meet - 1)) & 1 == 0 ? MerkleLib.hashPair(node, s) : MerkleLib.hashPair(s, node);
        path[meet] = node;
        ok = node == other[meet];
    }

    /// Reads the leaf at byte `at` and `height` siblings after it, fills path[0 … height] bottom-up; returns path[height].
    function _climb(bytes calldata proofs, uint256 at, bytes32[] memory path, uint256 height, uint256 leafIndex) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            let p := add(proofs.offset, at)
            node := calldataload(p)
            mstore(add(path, 0x20), node)
            for { let h := 0 } lt(h, height) { h := add(h, 1) } {
                let s := calldataload(add(p, shl(5, add(h, 1))))
                switch and(shr(h, leafIndex), 1)
                case 0 {
                    mstore(0x00, node)
                    mstore(0x20, s)
                }
                default {
                    mstore(0x00, s)
                    mstore(0x20, node)
                }
                node := keccak256(0x00, 0x40)
                mstore(add(path, shl(5, add(h, 2))), node)
            }
        }
    }
}
