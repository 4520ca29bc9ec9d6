// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStaking} from "./interfaces/IStaking.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {MerkleLib} from "./lib/MerkleLib.sol";
import {OneStepVerifier} from "./OneStepVerifier.sol";
import {DisputeCore} from "./DisputeCore.sol";
import {DisputeGameCold} from "./DisputeGameCold.sol";

/// @title DisputeGame — see DisputeCore for the game. Opening and settlement run in DisputeGameCold (created here,
/// reached by DELEGATECALL: same storage, same msg.sender), the moves and the one step here.
contract DisputeGame is DisputeCore {
    /// DisputeGameCold with this game's arguments: openConflict, openChallenge and settle run there.
    address private immutable cold;

    /// The windows must be ordered (docs/decisions/0002-dispute-windows-and-bonds.md): stake that backed a receipt
    /// cannot leave before every dispute of it has opened and ended (withdrawalDelay ≥ disputeWindow + skew + the
    /// longest game), and a fee bond cannot be released while its receipt can still be disputed.
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
    ) DisputeCore(staking_, oneStep_, escrow_, moveTimeout_, slashAmount_, winnerBps_, claimantBps_, logArity_, disputeWindow_, settleDelay_, address(this)) {
        uint256 need = uint256(disputeWindow_) + RECEIPT_CLOCK_SKEW + _maxGameDuration(logArity_, moveTimeout_, settleDelay_);
        uint256 have = staking_.withdrawalDelay();
        if (have < need) revert WindowsOutOfOrder(have, need);
        need = uint256(disputeWindow_) + RECEIPT_CLOCK_SKEW + 1;
        have = escrow_.bondChallengeWindow();
        if (have < need) revert WindowsOutOfOrder(have, need);
        cold = address(new DisputeGameCold(staking_, oneStep_, escrow_, moveTimeout_, slashAmount_, winnerBps_, claimantBps_, logArity_, disputeWindow_, settleDelay_));
    }

    // ------------------------------------------------------------------ opening and settlement (DisputeGameCold)
    /// Two conflicting receipts: A = ra.node, B = rb.node (DisputeGameCold.openConflict).
    function openConflict(Receipt calldata ra, bytes calldata sigA, Receipt calldata rb, bytes calldata sigB, Opening calldata o) external returns (bytes32 id) {
        (ra, sigA, rb, sigB, o, id); // the ABI's names; the call data is forwarded as is
        _cold();
    }

    /// One receipt challenged by msg.sender (DisputeGameCold.openChallenge).
    function openChallenge(Receipt calldata r, bytes calldata sig, bytes32 challengerRoot, Opening calldata o, bytes32 bondId) external returns (bytes32 id) {
        (r, sig, challengerRoot, o, bondId, id);
        _cold();
    }

    /// Anyone, once decided, exactly once (DisputeGameCold.settle).
    function settle(bytes32 id, Config calldata c) external {
        (id, c);
        _cold();
    }

    /// Runs this call's calldata in DisputeGameCold over this game's storage and returns (or reverts with) its result.
    function _cold() private {
        address to = cold;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), to, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// A's opening move of the trace bisection: the 2^s children of its root (s = min(logArity, level)). (The partial
    /// sums' opening children come with A's postSumsRoot.)
    function postChildren(bytes32 id, bytes32[] calldata children) external {
        Game storage g = _game(id);
        if (g.phase != Phase.Trace || g.posted) revert WrongPhase(id, g.phase);
        _onTurn(id, g, 0);
        g.posted = true;
        g.turn = 1;
        _deadline(g);
        _postChildren(id, g, children, g.nodeA);
    }

    /// The party on turn: `proof` shows that child `child` is the FIRST where A's and B's children of the disputed
    /// nodes differ (docs/commitment.md §3: childA ‖ childB ‖ per level bottom-up either the shared left sibling, when
    /// bit l of `child` is 1, or A's then B's right sibling). The game descends to it; unless those are leaves, the
    /// mover posts its own children of its new node in `children` (else `children` is empty).
    function bisect(bytes32 id, uint256 child, bytes calldata proof, bytes32[] calldata children) external {
        Game storage g = _game(id);
        if ((g.phase != Phase.Trace && g.phase != Phase.Sums) || !g.posted) revert WrongPhase(id, g.phase);
        uint8 who = g.turn;
        _onTurn(id, g, who);
        _bisect(id, g, who, child, proof, children);
    }

    /// A (TraceStep), then B (LinksB). `c` is checked on A's call (the model hash names the layout).
    function postSumsRoot(bytes32 id, Config calldata c, SumsPost calldata p) external {
        Game storage g = _game(id);
        uint8 who;
        if (g.phase == Phase.LinksB) who = 1;
        else if (g.phase == Phase.TraceStep) {
            who = 0;
            _checkConfig(id, g, c);
            uint256 links = oneStep.reductionLinks(c.modelHash, g.element, p.node);
            if (links == 0 || links >= type(uint32).max) revert BadLinkCount(links);
            g.links = uint32(links);
            g.sumsDepth = uint8(MerkleLib.traceDepth(links + 1));
        } else revert WrongPhase(id, g.phase);
        _onTurn(id, g, who);
        uint256 F = g.links;
        if (!MerkleLib.verify(p.root, g.sumsDepth, F / 8, p.lastLeaf, p.siblings)) revert BadSumProof(id, msg.sender);
        int256 last = MerkleLib.traceWord(p.lastLeaf, F % 8);
        int256 mine = who == 0 ? MerkleLib.traceWord(g.nodeA, g.element % 8) : int256(g.valueB);
        if (last != mine) revert SumMismatch(last, mine);
        uint64 dl = _deadline(g);
        emit SumsRootPosted(id, msg.sender, F, p.root, dl);
        if (who == 0) {
            g.aux = g.nodeA; // A's trace leaf, until B's root completes the Links
            g.nodeA = p.root;
            g.phase = Phase.LinksB;
            g.level = g.sumsDepth;
            g.index = 0;
            g.turn = 1;
            if (g.sumsDepth > 0) _postChildren(id, g, p.children, p.root);
        } else {
            Links memory l = Links(g.aux, g.nodeA, p.root);
            g.aux = keccak256(abi.encode(l));
            g.nodeB = p.root;
            g.phase = Phase.Sums;
            emit LinksOpened(id, l);
            if (g.sumsDepth == 0) {
                g.turn = 0;
                _isolate(id, g, p.proof);
            } else {
                g.posted = true;
                _bisect(id, g, 1, p.child, p.proof, p.children);
            }
        }
    }

    /// Either party: replays the disputed element-wise element (TraceStep). `node` names the node holding the
    /// element (checked); the description is derived; `proofs` are the caller's packed operand proofs against ITS
    /// OWN trace root (OneStepVerifier docs). Decides the game; settle() pays.
    function resolveElement(bytes32 id, Config calldata c, uint256 node, bytes calldata proofs) external nonReentrant {
        Game storage g = _game(id);
        if (g.phase != Phase.TraceStep) revert WrongPhase(id, g.phase);
        bool isA = _party(id, g);
        _live(id, g);
        _checkConfig(id, g, c);
        bytes32 leafA = g.nodeA;
        int256 got = _replayElement(g, c, node, proofs, isA, leafA);
        _judge(id, g, got, MerkleLib.traceWord(leafA, uint256(g.element) % 8), g.valueB);
    }

    /// Either party: replays the disputed link s of the reduction (SumsStep) from the agreed sums[s−1] the isolating
    /// move fixed (or the init operand when s = 0) and the caller's packed proofs of the link's operands; what they
    /// are is derived.
    function resolveLink(bytes32 id, Config calldata c, uint256 node, bytes calldata proofs) external nonReentrant {
        Game storage g = _game(id);
        if (g.phase != Phase.SumsStep) revert WrongPhase(id, g.phase);
        bool isA = _party(id, g);
        _live(id, g);
        _checkConfig(id, g, c);
        OneStepVerifier.Prefix memory trace = OneStepVerifier.Prefix(isA ? c.rootA : c.rootB, g.traceDepth, g.element, g.nodeA);
        int256 got = oneStep.linkStep(c.modelHash, node, g.index, g.sumPrev, trace, proofs);
        _judge(id, g, got, g.sumA, g.valueB);
    }

    /// Either party, in Stop: the first difference lies past the end of the shorter trace S (its word there is
    /// padding, 0) and inside the longer one L. With the agreed prefix (S's last step included) the contract applies
    /// the stop rule to S's run (OneStepVerifier.stopped; `proofs` = the caller's packed proof of the token chosen at
    /// S's last step, against its own root). Stopped → L ran past the end and is wrong; S is right if its word is the
    /// padding 0. Not stopped → S stopped too early and is wrong; the game goes on in TraceStep to replay the element
    /// for L (L can still lose there: both wrong).
    /// In Output with outputs of different lengths (one shared trace T): the same rule on T's prefix (the token is
    /// proven against T's root; no disputed leaf): stopped → the longer output ran past the end (wrong), the shorter
    /// is right; not stopped → the shorter stopped too early (wrong), the longer is right.
    function resolveStop(bytes32 id, Config calldata c, bytes calldata proofs) external nonReentrant {
        Game storage g = _game(id);
        bool out = g.phase == Phase.Output && g.elements != g.elementsB;
        if (g.phase != Phase.Stop && !out) revert WrongPhase(id, g.phase);
        bool isA = _party(id, g);
        _live(id, g);
        _checkConfig(id, g, c);
        bool shortA = g.elements < g.elementsB;
        uint256 len = shortA ? g.elements : g.elementsB;
        OneStepVerifier.Prefix memory trace = out
            ? OneStepVerifier.Prefix(c.rootA, g.traceDepth, type(uint256).max, bytes32(0))
            : OneStepVerifier.Prefix(isA ? c.rootA : c.rootB, g.traceDepth, g.element, g.nodeA);
        bool stop = oneStep.stopped(c.modelHash, trace, len, c.inputLength, c.params.maxTokens, proofs);
        uint64 dl = _deadline(g);
        emit StopChecked(id, stop, dl);
        if (out) _decide(id, g, shortA == stop, shortA != stop);
        else if (stop) {
            bool shortRight = (shortA ? MerkleLib.traceWord(g.nodeA, uint256(g.element) % 8) : int256(g.valueB)) == 0;
            _decide(id, g, shortA && shortRight, !shortA && shortRight);
        } else {
            g.wrong |= shortA ? 1 : 2;
            g.phase = Phase.TraceStep;
            g.turn = 0;
        }
    }

    /// Anyone, in Output (both commit one trace T): token `j` of A's and of B's output (int32 LE; 0 past an output's
    /// end — its padding), which must differ, against T's element that the engine outputs as token j
    /// (ModelLayouts.outputElement: the output node at step P − 1 + j, or its element j for classify), proven by
    /// `proof` = leaf ‖ siblings bottom-up against T's root. A party is right iff its token equals T's element: at
    /// most one can be, so a liar loses; if both differ from T, both lose. An honest party matches T at every j,
    /// so no choice of j can make it lose.
    function resolveOutput(bytes32 id, Config calldata c, uint256 j, bytes calldata outputA, bytes calldata outputB, bytes calldata proof) external nonReentrant {
        Game storage g = _game(id);
        if (g.phase != Phase.Output) revert WrongPhase(id, g.phase);
        _live(id, g);
        _checkConfig(id, g, c);
        _checkOutputs(id, outputA, outputB);
        int256 ta = _token(outputA, j);
        int256 tb = _token(outputB, j);
        if (ta == tb) revert OutputsAgree(id, j);
        _checkOutput(id, g, c, j, ta, tb, proof);
    }

    /// Anyone, in any phase until settled (Decided included): token `j` of party X's own output (X = B if `isB`, else
    /// A; j < its token count) differs from the element X's OWN trace (its Config root: its receipt's trace root,
    /// zero-lifted) holds where the engine outputs token j (ModelLayouts.outputElement), proven by `proof` = leaf ‖
    /// siblings against that root. X is marked wrong (`Game.wrong`: every later decision, timeouts included, and the
    /// recorded outcome when already Decided): it signed an output its own trace does not give — the "right trace,
    /// wrong output" lie that the trace bisection cannot see when the other party's trace is wrong too. An honest
    /// party's output equals its trace's output elements at every j, so it can never be marked. Once per party.
    function markOutput(bytes32 id, Config calldata c, OutputMark calldata m) external nonReentrant {
        Game storage g = _game(id);
        if (g.phase == Phase.Done) revert WrongPhase(id, Phase.Done);
        uint8 bit = m.isB ? 2 : 1;
        if (g.wrong & bit != 0) revert AlreadyWrong(id, m.isB);
        _checkConfig(id, g, c);
        _checkOutputs(id, m.outputA, m.outputB);
        int256 t = _ownToken(id, m.isB ? m.outputB : m.outputA, m.token);
        (uint256 e, int256 v) = _outputValue(id, g, c, m.isB ? c.rootB : c.rootA, m.token, m.proof);
        if (t == v) revert OutputMatchesTrace(id, m.token);
        emit OutputMarked(id, m.isB, m.token, e, v, t);
        g.wrong |= bit;
        if (g.phase == Phase.Decided) g.turn &= ~bit;
    }

    /// Anyone, after the deadline: the party on turn loses (in a *Step phase that is A, who had the first chance).
    /// If that party was already shown wrong (stop rule, output mark) its silence proves nothing about the other,
    /// whose claim was never checked: the other is decided right WITHOUT reward (unlocked, not slashed, no winner
    /// share, a held bond not forfeited) — it could have proven itself in a step phase, and in a bisection it could not.
    function timeout(bytes32 id) external nonReentrant {
        Game storage g = _game(id);
        if (g.phase == Phase.Decided || g.phase == Phase.Done) revert WrongPhase(id, g.phase);
        if (block.timestamp <= g.deadline) revert DeadlineNotPassed(id, g.deadline);
        uint8 late = g.turn;
        emit TimedOut(id, late == 0 ? g.a : g.b, g.phase);
        bool lateWasWrong = g.wrong & (late == 0 ? 1 : 2) != 0;
        _decide(id, g, late != 0, late == 0);
        if (lateWasWrong && g.turn != 0) {
            g.turn |= NO_REWARD;
            emit NoReward(id);
        }
    }

    function getGame(bytes32 id) external view returns (Game memory) {
        return games[id];
    }
}
