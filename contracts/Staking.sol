// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStaking} from "./interfaces/IStaking.sol";
import {ReentrancyGuard} from "./ReentrancyGuard.sol";

/// @title Staking — the local collateral vault of Hyperspace operators (whitepaper §1.2, §2.1.1, §2.2.5)
/// @notice An EigenLayer-AVS-shaped service manager over native ETH (docs/eigenlayer-mapping.md): operators register
/// with their secp256k1 public key (the static S/Kademlia puzzle is checked here, on chain), stake, and withdraw
/// through a delay; the dispute contract locks parties for the length of a game and slashes the loser.
/// Payments out of the contract are pull-based (claim / completeWithdrawal) behind a transient reentrancy guard,
/// with state written before the transfer (checks-effects-interactions).
contract Staking is IStaking, ReentrancyGuard {
    uint256 private constant BPS = 10_000;

    address public immutable owner;
    address public disputeContract;
    uint256 public immutable staticDifficulty;
    uint256 public immutable withdrawalDelay;
    uint256 public immutable minimumStake;
    uint256 public totalBurned;

    mapping(address => Operator) private _operators;
    mapping(address => mapping(bytes32 => bool)) private _lockedBy;
    mapping(address => mapping(bytes32 => bool)) private _slashed;
    mapping(address => uint256) private _claimable;
    /// Stake an operator has reserved for the disputes it opened as a challenger (wei): a challenge needs `reserve`
    /// of free stake, so one stake cannot back more challenges than it can pay for (issue 11, attack 4).
    mapping(address => uint256) private _reserved;
    mapping(address => mapping(bytes32 => uint256)) private _reservedFor;

    modifier onlyDispute() {
        if (msg.sender != disputeContract) revert NotDisputeContract(msg.sender);
        _;
    }

    /// @param staticDifficulty_ c1, leading zero bits of keccak256(NodeAddress) (≤ 256)
    /// @param withdrawalDelay_ seconds between queueWithdrawal and completeWithdrawal
    /// @param minimumStake_ wei an operator needs to be active
    /// @param dispute_ the dispute contract, or address(0) to set it later (once) with setDisputeContract
    constructor(uint256 staticDifficulty_, uint256 withdrawalDelay_, uint256 minimumStake_, address dispute_) {
        owner = msg.sender;
        staticDifficulty = staticDifficulty_;
        withdrawalDelay = withdrawalDelay_;
        minimumStake = minimumStake_;
        if (dispute_ != address(0)) {
            disputeContract = dispute_;
            emit DisputeContractSet(dispute_);
        }
    }

    function setDisputeContract(address dispute) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (disputeContract != address(0)) revert DisputeContractAlreadySet(disputeContract);
        if (dispute == address(0)) revert ZeroAddress();
        disputeContract = dispute;
        emit DisputeContractSet(dispute);
    }

    // ------------------------------------------------------------------------------------------------ operators

    function registerOperator(bytes calldata publicKey) external payable {
        if (publicKey.length != 64) revert InvalidPublicKeyLength(publicKey.length);
        bytes32 nodeAddress = keccak256(publicKey);
        address derived = address(uint160(uint256(nodeAddress)));
        if (derived != msg.sender) revert PublicKeyNotSender(derived, msg.sender);
        uint256 bits = leadingZeroBits(keccak256(abi.encodePacked(nodeAddress)));
        if (bits < staticDifficulty) revert PuzzleTooWeak(nodeAddress, staticDifficulty, bits);
        Operator storage op = _operators[msg.sender];
        if (op.registered) revert AlreadyRegistered(msg.sender);
        op.registered = true;
        op.nodeAddress = nodeAddress;
        op.registeredAt = uint64(block.timestamp);
        emit OperatorRegistered(msg.sender, nodeAddress, bits);
        if (msg.value > 0) _stake(op, msg.value);
    }

    function deregisterOperator() external {
        Operator storage op = _operators[msg.sender];
        if (!op.registered) revert NotRegistered(msg.sender);
        if (op.activeLocks != 0) revert OperatorLocked(msg.sender, op.activeLocks);
        op.registered = false;
        emit OperatorDeregistered(msg.sender);
    }

    function stake() external payable {
        Operator storage op = _operators[msg.sender];
        if (!op.registered) revert NotRegistered(msg.sender);
        if (msg.value == 0) revert ZeroAmount();
        _stake(op, msg.value);
    }

    function _stake(Operator storage op, uint256 amount) private {
        op.stake += amount;
        emit Staked(msg.sender, amount, op.stake);
    }

    function queueWithdrawal(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Operator storage op = _operators[msg.sender];
        if (op.stake < amount) revert InsufficientStake(msg.sender, op.stake, amount);
        op.stake -= amount;
        op.queued += amount;
        op.withdrawableAt = uint64(block.timestamp + withdrawalDelay);
        emit WithdrawalQueued(msg.sender, amount, op.queued, op.withdrawableAt);
    }

    function completeWithdrawal() external nonReentrant {
        Operator storage op = _operators[msg.sender];
        uint256 amount = op.queued;
        if (amount == 0) revert NoWithdrawalQueued(msg.sender);
        if (block.timestamp < op.withdrawableAt) revert WithdrawalNotReady(msg.sender, op.withdrawableAt, block.timestamp);
        if (op.activeLocks != 0) revert OperatorLocked(msg.sender, op.activeLocks);
        op.queued = 0;
        emit WithdrawalCompleted(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ------------------------------------------------------------------------------------------------ dispute hooks

    function lock(address operator, bytes32 disputeId, uint256 reserve) external onlyDispute {
        if (_lockedBy[operator][disputeId]) revert AlreadyLocked(operator, disputeId);
        Operator storage op = _operators[operator];
        if (reserve > 0) {
            uint256 free = _free(operator, op);
            if (free < reserve) revert InsufficientStake(operator, free, reserve);
            _reserved[operator] += reserve;
            _reservedFor[operator][disputeId] = reserve;
        }
        _lockedBy[operator][disputeId] = true;
        op.activeLocks += 1;
        emit OperatorLockedForDispute(operator, disputeId, op.activeLocks);
    }

    function unlock(address operator, bytes32 disputeId) external onlyDispute {
        if (!_lockedBy[operator][disputeId]) revert NotLocked(operator, disputeId);
        _unlock(operator, disputeId);
    }

    function _unlock(address operator, bytes32 disputeId) private {
        Operator storage op = _operators[operator];
        uint256 r = _reservedFor[operator][disputeId];
        if (r > 0) {
            _reservedFor[operator][disputeId] = 0;
            _reserved[operator] -= r;
        }
        _lockedBy[operator][disputeId] = false;
        op.activeLocks -= 1;
        emit OperatorUnlocked(operator, disputeId, op.activeLocks);
    }

    function slash(
        address operator,
        bytes32 disputeId,
        uint256 amount,
        address[] calldata recipients,
        uint16[] calldata sharesBps
    ) external onlyDispute returns (uint256 slashed) {
        if (_slashed[operator][disputeId]) revert AlreadySlashed(operator, disputeId);
        uint256 totalBps;
        for (uint256 i = 0; i < sharesBps.length; ++i) totalBps += sharesBps[i];
        if (recipients.length != sharesBps.length || totalBps > BPS) {
            revert InvalidSlashSplit(recipients.length, sharesBps.length, totalBps);
        }
        _slashed[operator][disputeId] = true;
        slashed = _take(_operators[operator], amount);
        uint256 paid = _distribute(disputeId, slashed, recipients, sharesBps);
        uint256 burned = slashed - paid;
        totalBurned += burned;
        emit OperatorSlashed(operator, disputeId, amount, slashed, burned);
        if (_lockedBy[operator][disputeId]) _unlock(operator, disputeId);
    }

    /// Removes up to `amount` from active stake first, then the queue (queued stake stays slashable until completed).
    function _take(Operator storage op, uint256 amount) private returns (uint256 taken) {
        uint256 fromStake = amount < op.stake ? amount : op.stake;
        op.stake -= fromStake;
        uint256 rest = amount - fromStake;
        uint256 fromQueue = rest < op.queued ? rest : op.queued;
        op.queued -= fromQueue;
        taken = fromStake + fromQueue;
    }

    function _distribute(bytes32 disputeId, uint256 slashed, address[] calldata recipients, uint16[] calldata sharesBps)
        private
        returns (uint256 paid)
    {
        for (uint256 i = 0; i < recipients.length; ++i) {
            uint256 share = (slashed * sharesBps[i]) / BPS;
            if (share == 0) continue;
            _claimable[recipients[i]] += share;
            paid += share;
            emit SlashRewardCredited(recipients[i], disputeId, share);
        }
    }

    function claim() external nonReentrant {
        uint256 amount = _claimable[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        emit RewardClaimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    // ------------------------------------------------------------------------------------------------ views

    function getOperator(address operator) external view returns (Operator memory) {
        return _operators[operator];
    }

    function isRegistered(address operator) external view returns (bool) {
        return _operators[operator].registered;
    }

    function isActiveOperator(address operator) external view returns (bool) {
        Operator storage op = _operators[operator];
        return op.registered && op.stake >= minimumStake;
    }

    function slashableStake(address operator) external view returns (uint256) {
        Operator storage op = _operators[operator];
        return op.stake + op.queued;
    }

    function reservedStake(address operator) external view returns (uint256) {
        return _reserved[operator];
    }

    function freeStake(address operator) external view returns (uint256) {
        return _free(operator, _operators[operator]);
    }

    /// Slashable stake not reserved by open challenges (0 when slashes elsewhere took the reserved part).
    function _free(address operator, Operator storage op) private view returns (uint256) {
        uint256 total = op.stake + op.queued;
        uint256 r = _reserved[operator];
        return total > r ? total - r : 0;
    }

    function isLockedBy(address operator, bytes32 disputeId) external view returns (bool) {
        return _lockedBy[operator][disputeId];
    }

    function isSlashed(address operator, bytes32 disputeId) external view returns (bool) {
        return _slashed[operator][disputeId];
    }

    function claimable(address account) external view returns (uint256) {
        return _claimable[account];
    }

    /// Leading zero bits of a 256-bit word (256 for zero): the S/Kademlia puzzle measure (src/common/bytes.ts
    /// leadingZeroBits, big-endian).
    function leadingZeroBits(bytes32 word) public pure returns (uint256 n) {
        uint256 x = uint256(word);
        if (x == 0) return 256;
        // binary search for the most significant set bit
        if (x >> 128 == 0) { n += 128; x <<= 128; }
        if (x >> 192 == 0) { n += 64; x <<= 64; }
        if (x >> 224 == 0) { n += 32; x <<= 32; }
        if (x >> 240 == 0) { n += 16; x <<= 16; }
        if (x >> 248 == 0) { n += 8; x <<= 8; }
        if (x >> 252 == 0) { n += 4; x <<= 4; }
        if (x >> 254 == 0) { n += 2; x <<= 2; }
        if (x >> 255 == 0) { n += 1; }
    }
}
