// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStaking} from "./interfaces/IStaking.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {OneStepVerifier} from "./OneStepVerifier.sol";
import {DisputeCore} from "./DisputeCore.sol";

/// @title DisputeGameCold — the cold paths of DisputeGame (opening and settlement), run only by DELEGATECALL from
/// the game (same storage layout and immutables via DisputeCore, msg.sender kept): they run once per game, so the
/// delegate call's ~3k gas is paid twice per game while the game's runtime code stays well under EIP-170. The game
/// creates this contract in its constructor with its own arguments; called directly it reverts (NotDelegated).
contract DisputeGameCold is DisputeCore {
    error NotDelegated();

    address private immutable game;

    modifier delegated() {
        if (address(this) != game) revert NotDelegated();
        _;
    }

    constructor(
        IStaking staking_,
        OneStepVerifier oneStep_,
        IFeeEscrow escrow_,
        uint64 moveTimeout_,
        uint256 slashAmount_,
        uint16 winnerBps_,
        uint16 claimantBps_,
        uint8 logArity_,
        uint64 disputeWindow_,
        uint64 settleDelay_
    ) DisputeCore(staking_, oneStep_, escrow_, moveTimeout_, slashAmount_, winnerBps_, claimantBps_, logArity_, disputeWindow_, settleDelay_, msg.sender) {
        game = msg.sender;
    }

    /// Two conflicting receipts: A = ra.node, B = rb.node, in the order of their digests (digestA < digestB), so the
    /// receipts — not the claimant — fix who moves first. Any number of games may run over a receipt until its signer
    /// is slashed for it. The trace length comes from the model layout and `o`.
    function openConflict(Receipt calldata ra, bytes calldata sigA, Receipt calldata rb, bytes calldata sigB, Opening calldata o)
        external
        nonReentrant
        delegated
        returns (bytes32 id)
    {
        if (ra.queryHash != rb.queryHash) revert QueryMismatch(ra.queryHash, rb.queryHash);
        if (ra.modelHash != rb.modelHash) revert ModelMismatch(ra.modelHash, rb.modelHash);
        if (ra.outputHash == rb.outputHash && ra.traceRoot == rb.traceRoot) revert ReceiptsDoNotConflict(ra.queryHash, ra.modelHash);
        if (ra.node == rb.node) revert SameParty(ra.node);
        bytes32 da = _checkReceipt(ra, sigA);
        bytes32 db = _checkReceipt(rb, sigB);
        if (da > db) revert ReceiptsOutOfOrder(da, db);
        id = keccak256(abi.encode(da, db));
        if (keccak256(o.outputB) != rb.outputHash) revert OutputHashMismatch(rb.outputHash, keccak256(o.outputB));
        Config memory c;
        _open(id, rb.node, ra.traceRoot, rb.traceRoot, ra, o, c, 0, da, db);
    }

    /// One receipt challenged by msg.sender, who re-ran the query: A = r.node, B = msg.sender. B must have slashAmount
    /// of free stake, reserved for the game (one stake cannot back more challenges than it can lose).
    /// `bondId` (0 = none): the verify-inference fee bond r.node posted in the escrow for THIS answer (§2.2.3): its id
    /// must be keccak256(abi.encode(r.node, query.client, r.queryHash)) — the node, the community server that asked
    /// (the query's client) and the challenge (the query) — and its answerHash r.outputHash. The game holds it (other
    /// games over the receipt may too); settlement forfeits it to B if B wins, else drops this game's hold.
    function openChallenge(Receipt calldata r, bytes calldata sig, bytes32 challengerRoot, Opening calldata o, bytes32 bondId)
        external
        nonReentrant
        delegated
        returns (bytes32 id)
    {
        if (r.node == msg.sender) revert SameParty(msg.sender);
        // the same trace with the same output is no claim; the same trace with another output is the output check
        if (r.traceRoot == challengerRoot && (o.outputB.length == 0 || keccak256(o.outputB) == r.outputHash)) revert SameTraceRoot(challengerRoot);
        uint256 free = staking.freeStake(msg.sender);
        if (free == 0 || free < slashAmount) revert ChallengerStakeTooLow(msg.sender, free, slashAmount);
        bytes32 d = _checkReceipt(r, sig);
        id = keccak256(abi.encode(d, msg.sender, challengerRoot));
        Config memory c;
        c.bondId = bondId;
        if (bondId != bytes32(0)) {
            bytes32 expected = keccak256(abi.encode(r.node, o.query.client, r.queryHash));
            if (bondId != expected) revert BondNotForReceipt(bondId, expected);
            bytes32 answer = escrow.getBond(bondId).answerHash;
            if (answer != r.outputHash) revert BondAnswerMismatch(bondId, answer, r.outputHash);
            escrow.holdBond(bondId, id); // reverts unless Posted or Held (not released, not forfeited)
        }
        _open(id, msg.sender, r.traceRoot, challengerRoot, r, o, c, slashAmount, d, bytes32(0));
    }

    /// Anyone, once decided and settleDelay later, exactly once: unlocks the right, slashes the wrong once per
    /// receipt (both wrong → both slashed; the claimant is paid from each unless it is the loser), and forfeits a held
    /// fee bond to a winning challenger B (else drops this game's hold). A right side decided without reward (its
    /// opponent, already shown wrong, timed out) is only unlocked: no winner share, no bond.
    function settle(bytes32 id, Config calldata c) external nonReentrant delegated {
        Game storage g = _game(id);
        if (g.phase != Phase.Decided) revert WrongPhase(id, g.phase);
        if (block.timestamp < g.deadline) revert SettleTooEarly(id, g.deadline, block.timestamp);
        _checkConfig(id, g, c);
        g.phase = Phase.Done;
        bool aRight = g.turn & 1 != 0;
        bool bRight = g.turn & 2 != 0;
        bool reward = g.turn & NO_REWARD == 0;
        address a = g.a;
        address b = g.b;
        uint256 sa;
        uint256 sb;
        // effects are done (phase Done); the calls below go only to the staking contract and the fee escrow
        Receipts memory rs = receiptsOf[id];
        if (aRight) staking.unlock(a, id);
        else sa = _slash(a, id, rs.a, bRight && reward ? b : address(0), c.claimant);
        if (bRight) staking.unlock(b, id);
        else sb = _slash(b, id, rs.b, aRight && reward ? a : address(0), c.claimant);
        if (c.bondId != bytes32(0)) {
            if (!aRight && bRight && reward) escrow.forfeitBond(c.bondId, id, b);
            else escrow.returnBond(c.bondId);
        }
        address winner = aRight ? a : bRight ? b : address(0);
        address loser = !aRight ? a : b;
        emit Resolved(id, winner, loser, !aRight && !bRight, sa, sb);
    }
}
