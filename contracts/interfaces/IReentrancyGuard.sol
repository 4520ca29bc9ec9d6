// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReentrancyGuard — the one error of the shared transient reentrancy guard (ReentrancyGuard.sol).
/// @notice Declared once here so that IStaking, IFeeEscrow and ReentrancyGuard can all inherit it: Solidity refuses
/// two declarations of one error name along an inheritance path (Staking is both IStaking and ReentrancyGuard), and
/// a file-level error would appear twice in Staking's ABI. The selector is keccak256("Reentrancy()")[0:4] wherever it
/// is declared, so callers (viem's decodeErrorResult, the tests) see the same error as before.
interface IReentrancyGuard {
    error Reentrancy();
}
