// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title EngineOps — the integer op semantics of the engine (whitepaper §2.2.6; docs/spec/engine.md §2–3,
/// src/engine/ops/arith.ts and src/engine/element.ts elementwiseStep / combineStep), on int256 so no step can
/// overflow: every operand is an int32 or a bounded product (the model loader proves |v| ≤ 2^53).
/// Checked against test/vectors/engine-ops.json by src/dispute/contracts.test.ts.
library EngineOps {
    // Op codes (src/engine/ops/*.ts `code`).
    uint256 internal constant OP_TOKEN = 1;
    uint256 internal constant OP_VECTOR = 2;
    uint256 internal constant OP_POSITION = 3;
    uint256 internal constant OP_GATHER = 12;
    uint256 internal constant OP_ATTN_SCORES = 20; // masked slot: a constant pass-through
    uint256 internal constant OP_SCAN_ADD = 34;
    uint256 internal constant OP_REQUANT = 40;
    uint256 internal constant OP_RELU = 41;
    uint256 internal constant OP_LUT = 42;
    uint256 internal constant OP_ADD = 43;
    uint256 internal constant OP_SUB = 44;
    uint256 internal constant OP_MAX2 = 45;
    uint256 internal constant OP_MULDIV = 46;
    uint256 internal constant OP_ISQRT = 47;
    uint256 internal constant OP_MOD = 48;
    uint256 internal constant OP_SELECT = 49;
    uint256 internal constant OP_ROPE = 50; // language-model ops (engine.md §3.6)
    uint256 internal constant OP_MUL = 51;

    // Reduction combiners (graph.ts Combiner), our codes.
    uint8 internal constant C_MAC = 0;
    uint8 internal constant C_ADD = 1;
    uint8 internal constant C_MAX = 2;
    uint8 internal constant C_ARGMAX = 3;
    uint8 internal constant C_COUNTLE = 4;

    error UnknownOp(uint256 op);
    error UnknownCombiner(uint8 combiner);
    error MissingInput(uint256 op, uint256 needed, uint256 given);

    function clamp(int256 v, int256 lo, int256 hi) internal pure returns (int256) {
        return v < lo ? lo : v > hi ? hi : v;
    }

    /// Rounding right shift, half away from zero: sign(v)·floor((|v| + 2^(s−1)) / 2^s); s = 0 gives v.
    function roundShift(int256 v, int256 s) internal pure returns (int256) {
        if (s == 0) return v;
        uint256 p = uint256(1) << uint256(s);
        uint256 half = p >> 1;
        if (v >= 0) return int256((uint256(v) + half) / p);
        return -int256((uint256(-v) + half) / p);
    }

    /// Rounding division, half away from zero; d = 0 gives 0: sign(n)·sign(d)·floor((2|n| + |d|) / (2|d|)).
    function roundDiv(int256 n, int256 d) internal pure returns (int256) {
        if (d == 0) return 0;
        uint256 an = n < 0 ? uint256(-n) : uint256(n);
        uint256 ad = d < 0 ? uint256(-d) : uint256(d);
        int256 q = int256((2 * an + ad) / (2 * ad));
        return (n < 0) != (d < 0) ? -q : q;
    }

    /// Euclidean modulus: m > 0 ? a − m·floor(a / m) : 0.
    function euclidMod(int256 a, int256 m) internal pure returns (int256) {
        if (m <= 0) return 0;
        int256 r = a % m;
        return r < 0 ? r + m : r;
    }

    /// floor(√max(v, 0)) exactly (Newton from above).
    function isqrt(int256 v) internal pure returns (int256) {
        if (v <= 0) return 0;
        uint256 x = uint256(v);
        uint256 r = x;
        uint256 y = (r + 1) / 2;
        while (y < r) {
            r = y;
            y = (r + x / r) / 2;
        }
        return int256(r);
    }

    /// The element-wise (and source pass-through) rule of `op` on its inputs in `describe` order (element.ts elementwiseStep).
    function elementwise(uint256 op, int256[8] memory p, int256[] memory v, bool hasWeight) internal pure returns (int256) {
        uint256 need = _inputs(op, hasWeight);
        if (v.length < need) revert MissingInput(op, need, v.length);
        if (op == OP_TOKEN || op == OP_VECTOR || op == OP_POSITION || op == OP_ATTN_SCORES) return v[0];
        if (op == OP_GATHER || op == OP_LUT) return v[1];
        if (op == OP_REQUANT) return clamp(roundShift(v[0] * (hasWeight ? v[1] : p[0]), p[1]), p[2], p[3]);
        if (op == OP_RELU) return v[0] > 0 ? v[0] : int256(0);
        if (op == OP_ADD) return clamp(v[0] + v[1], p[0], p[1]);
        if (op == OP_SUB) return clamp(v[0] - v[1], p[0], p[1]);
        if (op == OP_MAX2) return clamp(v[0] > v[1] ? v[0] : v[1], p[0], p[1]);
        if (op == OP_MULDIV) return clamp(roundDiv(v[0] * (hasWeight ? v[2] : int256(1)) * p[3], v[1]), p[0], p[1]);
        if (op == OP_ISQRT) return isqrt(v[0] + p[0]);
        if (op == OP_MOD) return euclidMod(v[0], v[1]);
        if (op == OP_SELECT) return v[2] != 0 ? v[0] : v[1];
        if (op == OP_SCAN_ADD) return v[0] + v[1];
        // rope: inputs (x[i], x[i xor 1], T[t, j, 0], T[t, j, 1]), p1 shift, [p2, p3] clamp
        if (op == OP_ROPE) return clamp(roundShift(v[0] * v[2] + v[1] * v[3], p[1]), p[2], p[3]);
        // mul: inputs (a[i], b̂), [p0, p1] clamp, p3 shift
        if (op == OP_MUL) return clamp(roundShift(v[0] * v[1], p[3]), p[0], p[1]);
        revert UnknownOp(op);
    }

    function _inputs(uint256 op, bool hasWeight) private pure returns (uint256) {
        if (op == OP_ROPE) return 4;
        if (op == OP_SELECT) return 3;
        if (op == OP_MULDIV) return hasWeight ? 3 : 2;
        if (op == OP_REQUANT) return hasWeight ? 2 : 1;
        if (op == OP_RELU || op == OP_ISQRT || op == OP_TOKEN || op == OP_VECTOR || op == OP_POSITION || op == OP_ATTN_SCORES) return 1;
        return 2;
    }

    /// One link j of a reduction (element.ts combineStep): acc_{j+1} from acc_j and the link's operands.
    /// For argmax, b is the row element at index acc.
    function combine(uint8 c, int256 acc, int256 a, int256 b, uint256 j) internal pure returns (int256) {
        if (c == C_MAC) return acc + a * b;
        if (c == C_ADD) return acc + a;
        if (c == C_MAX) return a > acc ? a : acc;
        if (c == C_ARGMAX) return a > b ? int256(j) : acc;
        if (c == C_COUNTLE) return acc + (a <= b ? int256(1) : int256(0));
        revert UnknownCombiner(c);
    }
}
