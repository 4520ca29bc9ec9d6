// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EngineOps} from "./lib/EngineOps.sol";

/// @title DisputeOpsHarness — exposes EngineOps to tests (test/vectors/engine-ops.json is checked through it). Test only.
contract DisputeOpsHarness {
    function roundShift(int256 v, int256 s) external pure returns (int256) { return EngineOps.roundShift(v, s); }
    function roundDiv(int256 n, int256 d) external pure returns (int256) { return EngineOps.roundDiv(n, d); }
    function isqrt(int256 v) external pure returns (int256) { return EngineOps.isqrt(v); }
    function euclidMod(int256 a, int256 m) external pure returns (int256) { return EngineOps.euclidMod(a, m); }
    function elementwise(uint256 op, int256[8] memory p, int256[] memory v, bool hasWeight) external pure returns (int256) {
        return EngineOps.elementwise(op, p, v, hasWeight);
    }
    /// Folds a whole reduction link by link; returns every partial sum (sums[0] = init).
    function reduce(uint8 c, int256 init, int256[] memory a, int256[] memory b) external pure returns (int256[] memory sums) {
        sums = new int256[](a.length + 1);
        sums[0] = init;
        for (uint256 j = 0; j < a.length; ++j) {
            int256 bj = c == EngineOps.C_ARGMAX ? a[uint256(sums[j])] : b[j];
            sums[j + 1] = EngineOps.combine(c, sums[j], a[j], bj, j);
        }
    }
}
