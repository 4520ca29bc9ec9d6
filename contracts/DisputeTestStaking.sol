// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DisputeTestStaking — TEST DOUBLE of IStaking's dispute-facing part (isActiveOperator, lock, unlock, slash,
/// withdrawals refused while locked), used by the dispute tests until/unless they run against contracts/Staking.sol.
/// It can also try to re-enter the dispute contract from inside slash() (reentrancy tests).
contract DisputeTestStaking {
    struct Op {
        uint256 stake;
        uint256 queued;
        uint32 locks;
    }

    address public disputeContract;
    uint256 public minimumStake;
    mapping(address => Op) public ops;
    mapping(address => mapping(bytes32 => bool)) public isLockedBy;
    mapping(address => mapping(bytes32 => bool)) public isSlashed;
    mapping(address => uint256) public claimable;
    uint256 public totalBurned;
    /// reentrancy probe: calldata sent back to the dispute contract from slash(), and what happened
    bytes public reenterCall;
    bool public reenterTried;
    bool public reenterSucceeded;
    bytes public reenterError;

    error NotDisputeContract(address caller);
    error OperatorLocked(address operator, uint256 activeLocks);
    error AlreadyLocked(address operator, bytes32 disputeId);
    error NotLocked(address operator, bytes32 disputeId);
    error AlreadySlashed(address operator, bytes32 disputeId);

    event OperatorLockedForDispute(address indexed operator, bytes32 indexed disputeId, uint256 activeLocks);
    event OperatorUnlocked(address indexed operator, bytes32 indexed disputeId, uint256 activeLocks);
    event OperatorSlashed(address indexed operator, bytes32 indexed disputeId, uint256 requested, uint256 amount, uint256 burned);

    constructor(uint256 minimumStake_) {
        minimumStake = minimumStake_;
    }

    function setDisputeContract(address d) external {
        require(disputeContract == address(0));
        disputeContract = d;
    }

    function setReenter(bytes calldata data) external {
        reenterCall = data;
    }

    function stake() external payable {
        ops[msg.sender].stake += msg.value;
    }

    function isActiveOperator(address o) external view returns (bool) {
        return ops[o].stake >= minimumStake && minimumStake > 0;
    }

    function slashableStake(address o) external view returns (uint256) {
        return ops[o].stake + ops[o].queued;
    }

    function queueWithdrawal(uint256 amount) external {
        Op storage o = ops[msg.sender];
        o.stake -= amount;
        o.queued += amount;
    }

    function completeWithdrawal() external {
        Op storage o = ops[msg.sender];
        if (o.locks != 0) revert OperatorLocked(msg.sender, o.locks);
        uint256 q = o.queued;
        o.queued = 0;
        (bool ok, ) = payable(msg.sender).call{value: q}(""); require(ok);
    }

    modifier onlyDispute() {
        if (msg.sender != disputeContract) revert NotDisputeContract(msg.sender);
        _;
    }

    function withdrawalDelay() external pure returns (uint256) {
        return 30 days;
    }

    function freeStake(address o) external view returns (uint256) {
        return ops[o].stake + ops[o].queued;
    }

    function lock(address o, bytes32 id, uint256) external onlyDispute {
        if (isLockedBy[o][id]) revert AlreadyLocked(o, id);
        isLockedBy[o][id] = true;
        ops[o].locks += 1;
        emit OperatorLockedForDispute(o, id, ops[o].locks);
    }

    function unlock(address o, bytes32 id) external onlyDispute {
        if (!isLockedBy[o][id]) revert NotLocked(o, id);
        isLockedBy[o][id] = false;
        ops[o].locks -= 1;
        emit OperatorUnlocked(o, id, ops[o].locks);
    }

    function slash(address o, bytes32 id, uint256 amount, address[] calldata to, uint16[] calldata bps) external onlyDispute returns (uint256 taken) {
        if (isSlashed[o][id]) revert AlreadySlashed(o, id);
        isSlashed[o][id] = true;
        if (isLockedBy[o][id]) {
            isLockedBy[o][id] = false;
            ops[o].locks -= 1;
        }
        Op storage op = ops[o];
        taken = amount;
        if (taken > op.stake + op.queued) taken = op.stake + op.queued;
        if (taken <= op.stake) op.stake -= taken;
        else {
            op.queued -= taken - op.stake;
            op.stake = 0;
        }
        uint256 paid;
        for (uint256 i = 0; i < to.length; ++i) {
            uint256 x = (taken * bps[i]) / 10000;
            claimable[to[i]] += x;
            paid += x;
        }
        totalBurned += taken - paid;
        emit OperatorSlashed(o, id, amount, taken, taken - paid);
        if (reenterCall.length != 0 && !reenterTried) {
            reenterTried = true;
            (bool ok, bytes memory err) = disputeContract.call(reenterCall);
            reenterSucceeded = ok;
            reenterError = err;
        }
    }

    function claim() external {
        uint256 x = claimable[msg.sender];
        claimable[msg.sender] = 0;
        (bool ok, ) = payable(msg.sender).call{value: x}(""); require(ok);
    }
}
