// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStaking} from "./interfaces/IStaking.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
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
        IModelRegistry registry_,
        OneStepVerifier oneStep_,
        IFeeEscrow escrow_,
        uint64 moveTimeout_,
        uint256 slashAmount_,
        uint16 winnerBps_,
        uint16 claimantBps_,
        uint8 defaultLogArity_
    ) DisputeCore(staking_, registry_, oneStep_, escrow_, moveTimeout_, slashAmount_, winnerBps_, claimantBps_, defaultLogArity_, msg.sender) {
        game = msg.sender;
    }

    /// Two conflicting receipts: A = ra.node, B = rb.node. The trace length comes from the model layout and `o`.
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
        id = keccak256(abi.encode(da, db));
        _claimReceipt(da, id);
        _claimReceipt(db, id);
        if (keccak256(o.outputB) != rb.outputHash) revert OutputHashMismatch(rb.outputHash, keccak256(o.outputB));
        _open(id, rb.node, ra.traceRoot, rb.traceRoot, ra, o, bytes32(0));
    }

    /// One receipt challenged by msg.sender (an active operator) who re-ran the query: A = r.node, B = msg.sender.
    /// `bondId` (0 = none): the verify-inference fee bond r.node posted in the escrow for this answer (§2.2.3); the
    /// game holds it, and settlement forfeits it to B if B wins, else returns it to the node.
    function openChallenge(Receipt calldata r, bytes calldata sig, bytes32 challengerRoot, Opening calldata o, bytes32 bondId)
        external
        nonReentrant
        delegated
        returns (bytes32 id)
    {
        if (r.node == msg.sender) revert SameParty(msg.sender);
        // the same trace with the same output is no claim; the same trace with another output is the output check
        if (r.traceRoot == challengerRoot && (o.outputB.length == 0 || keccak256(o.outputB) == r.outputHash)) revert SameTraceRoot(challengerRoot);
        if (!staking.isActiveOperator(msg.sender)) revert NotActiveOperator(msg.sender);
        bytes32 d = _checkReceipt(r, sig);
        id = keccak256(abi.encode(d, msg.sender, challengerRoot));
        _claimReceipt(d, id);
        if (bondId != bytes32(0)) {
            address bondNode = escrow.getBond(bondId).node;
            if (bondNode != r.node) revert BondNotOfNode(bondId, bondNode, r.node);
            escrow.holdBond(bondId, id); // reverts unless Posted (not released, not held by another game)
        }
        _open(id, msg.sender, r.traceRoot, challengerRoot, r, o, bondId);
    }

    /// Anyone, once decided, exactly once: unlocks the right, slashes the wrong (both wrong → both slashed; the
    /// claimant is paid from each), and forfeits a held fee bond to a winning challenger B (else returns it).
    function settle(bytes32 id, Config calldata c) external nonReentrant delegated {
        Game storage g = _game(id);
        if (g.phase != Phase.Decided) revert WrongPhase(id, g.phase);
        _checkConfig(id, g, c);
        g.phase = Phase.Done;
        bool aRight = g.turn & 1 != 0;
        bool bRight = g.turn & 2 != 0;
        address a = g.a;
        address b = g.b;
        uint256 sa;
        uint256 sb;
        // effects are done (phase Done); the calls below go only to the staking contract and the fee escrow
        if (aRight) staking.unlock(a, id);
        else sa = _slash(a, id, bRight ? b : address(0), c.claimant);
        if (bRight) staking.unlock(b, id);
        else sb = _slash(b, id, aRight ? a : address(0), c.claimant);
        if (c.bondId != bytes32(0)) {
            if (!aRight && bRight) escrow.forfeitBond(c.bondId, id, b);
            else escrow.returnBond(c.bondId);
        }
        address winner = aRight ? a : bRight ? b : address(0);
        address loser = !aRight ? a : b;
        emit Resolved(id, winner, loser, !aRight && !bRight, sa, sb);
    }
}
