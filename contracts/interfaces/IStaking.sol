// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReentrancyGuard} from "./IReentrancyGuard.sol";

/// @title IStaking — operator collateral for Hyperspace (whitepaper §1.2, §2.1.1, §2.2.5; DESIGN.md §1.8)
/// @notice Shaped like an EigenLayer AVS service manager (docs/eigenlayer-mapping.md):
///   registerOperator / deregisterOperator  ~ ServiceManager + AllocationManager.registerForOperatorSets
///   stake / queueWithdrawal / completeWithdrawal ~ DelegationManager deposits and queued withdrawals
///   lock / unlock / slash (dispute contract only) ~ AllocationManager.slashOperator from the AVS's slasher
/// The operator's Ethereum address is its node identity: registering proves, on chain, that
/// msg.sender is the last 20 bytes of keccak256(publicKey) and that keccak256(NodeAddress) has at
/// least `staticDifficulty()` leading zero bits (the S/Kademlia static puzzle, §2.1.1).
///
/// Amounts are in wei (native ETH). Queued withdrawals stay slashable until completed; the dispute contract requires
/// withdrawalDelay ≥ its dispute window + the longest game (docs/decisions/0002-dispute-windows-and-bonds.md).
interface IStaking is IReentrancyGuard {
    // ---------------------------------------------------------------- errors (all carry data)
    error NotOwner(address caller);
    error NotDisputeContract(address caller);
    error DisputeContractAlreadySet(address current);
    error ZeroAddress();
    error InvalidPublicKeyLength(uint256 length);
    error PublicKeyNotSender(address derived, address sender);
    error PuzzleTooWeak(bytes32 nodeAddress, uint256 required, uint256 actual);
    error AlreadyRegistered(address operator);
    error NotRegistered(address operator);
    error ZeroAmount();
    error InsufficientStake(address operator, uint256 available, uint256 requested);
    error NoWithdrawalQueued(address operator);
    error WithdrawalNotReady(address operator, uint256 withdrawableAt, uint256 now_);
    error OperatorLocked(address operator, uint256 activeLocks);
    error AlreadyLocked(address operator, bytes32 disputeId);
    error NotLocked(address operator, bytes32 disputeId);
    error AlreadySlashed(address operator, bytes32 disputeId);
    error InvalidSlashSplit(uint256 recipients, uint256 shares, uint256 totalBps);
    error NothingToClaim(address account);
    error TransferFailed(address to, uint256 amount);

    // ---------------------------------------------------------------- events (every state change)
    event DisputeContractSet(address indexed dispute);
    event OperatorRegistered(address indexed operator, bytes32 indexed nodeAddress, uint256 puzzleBits);
    event OperatorDeregistered(address indexed operator);
    event Staked(address indexed operator, uint256 amount, uint256 newStake);
    event WithdrawalQueued(address indexed operator, uint256 amount, uint256 totalQueued, uint256 withdrawableAt);
    event WithdrawalCompleted(address indexed operator, uint256 amount);
    event OperatorLockedForDispute(address indexed operator, bytes32 indexed disputeId, uint256 activeLocks);
    event OperatorUnlocked(address indexed operator, bytes32 indexed disputeId, uint256 activeLocks);
    /// @param amount what was actually taken (≤ requested: capped by active + queued stake)
    /// @param burned the part of `amount` not paid to any recipient (held forever by the contract)
    event OperatorSlashed(address indexed operator, bytes32 indexed disputeId, uint256 requested, uint256 amount, uint256 burned);
    event SlashRewardCredited(address indexed recipient, bytes32 indexed disputeId, uint256 amount);
    event RewardClaimed(address indexed account, uint256 amount);

    struct Operator {
        bool registered;
        bytes32 nodeAddress;     // keccak256(publicKey X‖Y)
        uint64 registeredAt;     // block timestamp (s)
        uint64 withdrawableAt;   // block timestamp (s) from which the queued amount can be completed
        uint32 activeLocks;      // open disputes holding this operator's stake
        uint256 stake;           // active stake (wei)
        uint256 queued;          // queued for withdrawal, still slashable (wei)
    }

    // ---------------------------------------------------------------- wiring
    function owner() external view returns (address);
    function disputeContract() external view returns (address);
    /// Owner only, once (reverts DisputeContractAlreadySet when already non-zero).
    function setDisputeContract(address dispute) external;

    // ---------------------------------------------------------------- parameters (set at deploy)
    /// c1: leading zero bits keccak256(NodeAddress) must have.
    function staticDifficulty() external view returns (uint256);
    /// Seconds between queueWithdrawal and completeWithdrawal.
    function withdrawalDelay() external view returns (uint256);
    /// Stake (wei) for isActiveOperator.
    function minimumStake() external view returns (uint256);

    // ---------------------------------------------------------------- operators
    /// @param publicKey 64 bytes X‖Y of the operator's secp256k1 key (no 0x04 prefix).
    /// msg.value (may be 0) is staked in the same call.
    function registerOperator(bytes calldata publicKey) external payable;
    /// Leaves the operator set. Refused while locked. Stake stays until withdrawn (queue + delay).
    function deregisterOperator() external;
    /// Adds msg.value to the caller's active stake (caller must be registered).
    function stake() external payable;
    /// Moves `amount` from active stake to the queue and restarts the delay. Queued stake is still slashable.
    function queueWithdrawal(uint256 amount) external;
    /// Pays the whole queued amount once the delay has passed and no dispute locks the operator.
    function completeWithdrawal() external;

    // ---------------------------------------------------------------- dispute hooks (dispute contract only)
    /// Marks `operator` as party to `disputeId`: completeWithdrawal and deregisterOperator are refused until unlocked.
    /// `reserve` (wei, 0 = none) of its free stake (freeStake) is reserved for the dispute — a challenger's, so that
    /// one stake cannot back more challenges than it can lose (InsufficientStake otherwise); unlock/slash release it.
    function lock(address operator, bytes32 disputeId, uint256 reserve) external;
    /// Releases the lock `disputeId` holds on `operator` (and its reservation).
    function unlock(address operator, bytes32 disputeId) external;
    /// Takes up to `amount` (active stake first, then queued) once per (operator, disputeId), releasing that
    /// dispute's lock if held. recipients[i] is credited sharesBps[i]/10000 of what was taken (pull payment,
    /// see claim); sum(sharesBps) ≤ 10000, the remainder is burned.
    function slash(
        address operator,
        bytes32 disputeId,
        uint256 amount,
        address[] calldata recipients,
        uint16[] calldata sharesBps
    ) external returns (uint256 slashed);

    /// Withdraws slash rewards credited to the caller.
    function claim() external;

    // ---------------------------------------------------------------- views
    function getOperator(address operator) external view returns (Operator memory);
    function isRegistered(address operator) external view returns (bool);
    /// registered and stake ≥ minimumStake
    function isActiveOperator(address operator) external view returns (bool);
    /// active + queued (what a slash can reach)
    function slashableStake(address operator) external view returns (uint256);
    /// Sum of the reservations of the operator's open challenges.
    function reservedStake(address operator) external view returns (uint256);
    /// slashableStake − reservedStake (0 if negative): what a new challenge can reserve.
    function freeStake(address operator) external view returns (uint256);
    function isLockedBy(address operator, bytes32 disputeId) external view returns (bool);
    function isSlashed(address operator, bytes32 disputeId) external view returns (bool);
    function claimable(address account) external view returns (uint256);
    function totalBurned() external view returns (uint256);
}
