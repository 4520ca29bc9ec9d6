// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IReentrancyGuard} from "./interfaces/IReentrancyGuard.sol";

/// @title ReentrancyGuard — one transient-storage (EIP-1153) reentrancy lock shared by Staking, FeeEscrow and the
/// dispute game (DisputeCore): a `nonReentrant` function entered again before it returns reverts `Reentrancy()`.
/// @notice The flag lives in transient storage (slot 0 of the transient space, cleared at the end of each transaction
/// anyway), so it adds nothing to the persistent storage layout of the contracts that inherit it. Under DELEGATECALL
/// (DisputeGame → DisputeGameCold) the callee uses the caller's transient storage: one lock for both.
abstract contract ReentrancyGuard is IReentrancyGuard {
    bool private transient _entered;

    modifier nonReentrant() {
        if (_entered) revert Reentrancy();
        _entered = true;
        _;
        _entered = false;
    }
}
