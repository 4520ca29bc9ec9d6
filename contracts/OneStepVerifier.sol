// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleLib} from "./lib/MerkleLib.sol";
import {EngineOps} from "./lib/EngineOps.sol";

/// @title OneStepVerifier — replays ONE step of an execution on chain (whitepaper §2.2.5 "narrowed down to one
/// transaction, which is settled on-chain"; docs/dispute.md §4): one element-wise op, or one link of a reduction
/// (prev partial sum ⊕ a·b), with every operand authenticated by a Merkle proof — trace operands against the part of
/// the trace both parties agree on, weights against the model's weights root. Stateless; the game contract calls it.
contract OneStepVerifier {
    /// Where an operand comes from.
    uint8 internal constant K_TRACE = 0; // element `index` of the agreed trace prefix (or of the agreed sums prefix)
    uint8 internal constant K_WEIGHT_I8 = 1; // weights byte `index`
    uint8 internal constant K_WEIGHT_I32 = 2; // little-endian int32 at weights byte `index`
    uint8 internal constant K_CONSTANT = 3; // `value` itself (graph constants)

    struct Operand {
        uint8 kind;
        uint256 index;
        int256 value;
        bytes32 leaf;
        bytes32[] siblings;
    }

    /// The agreed prefix of a tree (trace or partial sums): every leaf before `leafIndex` is equal in both parties'
    /// trees (the bisection proved it), and so are the words of `leaf` before the disputed element `element`.
    struct Prefix {
        bytes32 root; // A's root
        bytes32 root2; // B's root: a proof may come from either party's tree (their leaves before `leaf` are equal)
        uint256 depth;
        uint256 element;
        bytes32 leaf;
    }

    struct Weights {
        bytes32 root;
        uint256 depth;
    }

    error OperandNotInPrefix(uint256 index, uint256 disputedElement);
    error BadTraceProof(uint256 index);
    error BadWeightProof(uint256 byteOffset);
    error BadOperandKind(uint8 kind);

    /// Value of one element-wise element from its authenticated inputs.
    function elementwise(Prefix calldata trace, Weights calldata w, uint256 op, int256[8] calldata p, bool hasWeight, Operand[] calldata inputs)
        external
        pure
        returns (int256)
    {
        int256[] memory v = new int256[](inputs.length);
        for (uint256 i = 0; i < inputs.length; ++i) v[i] = _read(trace, w, inputs[i]);
        int256[8] memory pm = p;
        return EngineOps.elementwise(op, pm, v, hasWeight);
    }

    /// Partial sum `s` of a reduction: s = 0 → the init operand; s ≥ 1 → combine(sums[s−1], a, b, s−1), where
    /// sums[s−1] is read from the agreed sums prefix and a, b from the trace prefix / weights.
    function linkStep(
        Prefix calldata sums,
        Prefix calldata trace,
        Weights calldata w,
        uint8 combiner,
        Operand calldata prevOrInit,
        Operand calldata a,
        Operand calldata b
    ) external pure returns (int256) {
        if (sums.element == 0) return _read(trace, w, prevOrInit);
        if (prevOrInit.kind != K_TRACE || prevOrInit.index != sums.element - 1) revert OperandNotInPrefix(prevOrInit.index, sums.element);
        int256 prev = _read(sums, w, prevOrInit);
        return EngineOps.combine(combiner, prev, _read(trace, w, a), _read(trace, w, b), sums.element - 1);
    }

    function _read(Prefix calldata t, Weights calldata w, Operand calldata o) private pure returns (int256) {
        if (o.kind == K_CONSTANT) return o.value;
        if (o.kind == K_TRACE) {
            if (o.index >= t.element) revert OperandNotInPrefix(o.index, t.element);
            uint256 leafIndex = o.index / 8;
            if (leafIndex == t.element / 8) return MerkleLib.traceWord(t.leaf, o.index % 8);
            if (!MerkleLib.verify(t.root, t.depth, leafIndex, o.leaf, o.siblings) && !MerkleLib.verify(t.root2, t.depth, leafIndex, o.leaf, o.siblings)) {
                revert BadTraceProof(o.index);
            }
            return MerkleLib.traceWord(o.leaf, o.index % 8);
        }
        if (o.kind == K_WEIGHT_I8 || o.kind == K_WEIGHT_I32) {
            if (!MerkleLib.verify(w.root, w.depth, o.index / 32, o.leaf, o.siblings)) revert BadWeightProof(o.index);
            return o.kind == K_WEIGHT_I8 ? MerkleLib.weightI8(o.leaf, o.index) : MerkleLib.weightI32(o.leaf, o.index);
        }
        revert BadOperandKind(o.kind);
    }
}
