// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {ReentrancyGuard} from "./ReentrancyGuard.sol";

/// @title FeeEscrow — client deposits, per-query fees and the verify-inference fee bond (whitepaper §2.2.3)
/// @notice Every payout is a credit to `balanceOf`; ETH leaves only through `withdraw`, which writes state before
/// the transfer and sits behind a transient reentrancy guard. Queries are keyed by the EIP-712 digest of the
/// client's Query under this contract's domain (src/wire/query-receipt.ts), the same digest a node's Receipt
/// carries as `queryHash`.
contract FeeEscrow is IFeeEscrow, ReentrancyGuard {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant QUERY_TYPEHASH = keccak256(
        "Query(address client,bytes32 modelHash,bytes32 promptHash,bytes32 paramsHash,uint256 maxFee,uint256 nonce,uint64 deadline)"
    );
    bytes32 private constant NAME_HASH = keccak256("Hyperspace");
    bytes32 private constant VERSION_HASH = keccak256("1");

    address public immutable owner;
    address public disputeContract;
    uint256 public immutable bondChallengeWindow;

    mapping(address => uint256) private _balances;
    mapping(bytes32 => QueryEscrow) private _queries;
    mapping(bytes32 => Bond) private _bonds;

    modifier onlyDispute() {
        if (msg.sender != disputeContract) revert NotDisputeContract(msg.sender);
        _;
    }

    /// @param bondChallengeWindow_ seconds a fortification bond stays forfeitable before it can be released
    /// @param dispute_ the dispute contract, or address(0) to set it later (once)
    constructor(uint256 bondChallengeWindow_, address dispute_) {
        owner = msg.sender;
        bondChallengeWindow = bondChallengeWindow_;
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

    // ------------------------------------------------------------------------------------------------ balances

    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _credit(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        _balances[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount, balance - amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function _credit(address account, uint256 amount) private {
        uint256 balance = _balances[account] + amount;
        _balances[account] = balance;
        emit Deposited(account, amount, balance);
    }

    // ------------------------------------------------------------------------------------------------ queries

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function hashQuery(Query calldata q) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(QUERY_TYPEHASH, q.client, q.modelHash, q.promptHash, q.paramsHash, q.maxFee, q.nonce, q.deadline)
        );
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    function escrowQuery(Query calldata query, address settler) external payable returns (bytes32 queryHash) {
        if (msg.sender != query.client) revert NotQueryClient(msg.sender, query.client);
        if (query.maxFee == 0) revert ZeroAmount();
        if (block.timestamp > query.deadline) revert QueryExpired(queryHash, query.deadline, block.timestamp);
        queryHash = hashQuery(query);
        QueryEscrow storage e = _queries[queryHash];
        if (e.status != QueryStatus.None) revert QueryAlreadyEscrowed(queryHash);
        if (msg.value > 0) _credit(msg.sender, msg.value);
        uint256 balance = _balances[msg.sender];
        if (balance < query.maxFee) revert InsufficientBalance(msg.sender, balance, query.maxFee);
        _balances[msg.sender] = balance - query.maxFee;
        e.client = query.client;
        e.settler = settler;
        e.deadline = query.deadline;
        e.status = QueryStatus.Escrowed;
        e.amount = query.maxFee;
        emit QueryEscrowed(queryHash, query.client, settler, query.maxFee, query.deadline);
    }

    function settleQuery(bytes32 queryHash, address[] calldata nodes, uint256[] calldata amounts) external {
        QueryEscrow storage e = _queries[queryHash];
        if (e.status != QueryStatus.Escrowed) revert QueryNotEscrowed(queryHash, e.status);
        if (msg.sender != e.client && (msg.sender != e.settler || e.settler == address(0))) {
            revert NotSettler(queryHash, msg.sender);
        }
        if (nodes.length != amounts.length) revert LengthMismatch(nodes.length, amounts.length);
        uint256 escrowed = e.amount;
        uint256 total;
        for (uint256 i = 0; i < amounts.length; ++i) total += amounts[i];
        if (total > escrowed) revert PayoutTooLarge(queryHash, total, escrowed);
        e.status = QueryStatus.Settled;
        e.amount = 0;
        for (uint256 i = 0; i < nodes.length; ++i) {
            if (amounts[i] == 0) continue;
            _credit(nodes[i], amounts[i]);
            emit QueryFeePaid(queryHash, nodes[i], amounts[i]);
        }
        uint256 refund = escrowed - total;
        if (refund > 0) _credit(e.client, refund);
        emit QuerySettled(queryHash, total, refund);
    }

    function refundQuery(bytes32 queryHash) external {
        QueryEscrow storage e = _queries[queryHash];
        if (e.status != QueryStatus.Escrowed) revert QueryNotEscrowed(queryHash, e.status);
        if (block.timestamp <= e.deadline) revert QueryNotExpired(queryHash, e.deadline, block.timestamp);
        uint256 amount = e.amount;
        e.status = QueryStatus.Refunded;
        e.amount = 0;
        _credit(e.client, amount);
        emit QueryRefunded(queryHash, e.client, amount);
    }

    function getQuery(bytes32 queryHash) external view returns (QueryEscrow memory) {
        return _queries[queryHash];
    }

    // ------------------------------------------------------------------------------------------------ bonds

    function bondIdOf(address node, address hcs, bytes32 challengeId) public pure returns (bytes32) {
        return keccak256(abi.encode(node, hcs, challengeId));
    }

    function postBond(address hcs, bytes32 challengeId, bytes32 answerHash) external payable returns (bytes32 bondId) {
        if (msg.value == 0) revert ZeroAmount();
        if (hcs == address(0)) revert ZeroAddress();
        bondId = bondIdOf(msg.sender, hcs, challengeId);
        Bond storage b = _bonds[bondId];
        if (b.status != BondStatus.None) revert BondAlreadyExists(bondId);
        uint64 releasableAt = uint64(block.timestamp + bondChallengeWindow);
        b.node = msg.sender;
        b.hcs = hcs;
        b.postedAt = uint64(block.timestamp);
        b.releasableAt = releasableAt;
        b.status = BondStatus.Posted;
        b.answerHash = answerHash;
        b.amount = msg.value;
        emit BondPosted(bondId, msg.sender, hcs, answerHash, msg.value, releasableAt);
    }

    function releaseBond(bytes32 bondId) external {
        Bond storage b = _bonds[bondId];
        if (b.status != BondStatus.Posted) revert BondNotActive(bondId, b.status);
        if (block.timestamp < b.releasableAt) revert BondWindowOpen(bondId, b.releasableAt, block.timestamp);
        _release(bondId, b);
    }

    /// A game over the bond's receipt holds it (several may: `holds` counts them); no release while any holds it.
    function holdBond(bytes32 bondId, bytes32 disputeId) external onlyDispute {
        Bond storage b = _bonds[bondId];
        if (b.status != BondStatus.Posted && b.status != BondStatus.Held) revert BondNotActive(bondId, b.status);
        b.status = BondStatus.Held;
        b.holds += 1;
        emit BondHeld(bondId, disputeId);
    }

    /// The holding game failed (or ended without a winning challenger): it drops its hold. With no hold left the bond
    /// is Posted again — releasable after its window, still holdable by another game inside it. A bond another game
    /// already forfeited stays forfeited (no-op), so a settlement never reverts here.
    function returnBond(bytes32 bondId) external onlyDispute {
        Bond storage b = _bonds[bondId];
        if (b.status == BondStatus.Forfeited) return;
        if (b.status != BondStatus.Held) revert BondNotActive(bondId, b.status);
        b.holds -= 1;
        if (b.holds == 0) b.status = BondStatus.Posted;
        emit BondReturned(bondId, b.holds);
    }

    /// The first holding game a challenger wins takes the bond; later settlements of other holders are no-ops.
    function forfeitBond(bytes32 bondId, bytes32 disputeId, address challenger) external onlyDispute {
        if (challenger == address(0)) revert ZeroAddress();
        Bond storage b = _bonds[bondId];
        if (b.status == BondStatus.Forfeited) return;
        if (b.status != BondStatus.Held) revert BondNotActive(bondId, b.status);
        uint256 amount = b.amount;
        b.status = BondStatus.Forfeited;
        b.holds = 0;
        b.amount = 0;
        _credit(challenger, amount);
        emit BondForfeited(bondId, disputeId, challenger, amount);
    }

    function _release(bytes32 bondId, Bond storage b) private {
        uint256 amount = b.amount;
        b.status = BondStatus.Released;
        b.amount = 0;
        _credit(b.node, amount);
        emit BondReleased(bondId, b.node, amount);
    }

    function getBond(bytes32 bondId) external view returns (Bond memory) {
        return _bonds[bondId];
    }
}
