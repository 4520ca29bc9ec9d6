// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStaking} from "./interfaces/IStaking.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {MerkleLib} from "./lib/MerkleLib.sol";
import {OneStepVerifier} from "./OneStepVerifier.sol";
import {ReentrancyGuard} from "./ReentrancyGuard.sol";

/// @title DisputeCore (DisputeGame) — fraud claims and the k-ary bisection game (whitepaper §2.2.4–2.2.5; DESIGN.md §1.6;
/// docs/dispute.md). A claim opens a game between party A and party B over their execution traces:
///   - two conflicting EIP-712 Receipts (same queryHash and modelHash, different outputHash or traceRoot), each
///     signed by its `node`, in digest order; or
///   - one Receipt challenged by an operator (msg.sender) who re-ran the query, posts its own trace root and has its
///     slashAmount reserved for the game.
/// Every receipt must be inside its dispute window and its signer must have stake (queued stake counts); any number of
/// games may run over one receipt, its signer is slashed for it once (issue 11; docs/decisions/0002).
/// Rounds (difference-proof style, docs/commitment.md §3): A opens by posting the 2^s children of its root (checked
/// against it). Then the parties alternate: the mover proves the FIRST child where A's and B's children differ with
/// a difference proof against the two stored nodes (2 + up to 2s nodes, nothing re-sent), the game descends to it,
/// and the mover posts its own children of its new node for the other to prove against. At two differing leaves the
/// disputed element is the first differing word. A reduction element then opens the same game over the two parties' partial-sum trees. The last step is
/// replayed by OneStepVerifier against the agreed prefix. Every move has a deadline; whoever is on turn when it
/// passes loses. The one-step (or a timeout) only DECIDES; `settle(id)` then unlocks the winner, slashes the loser
/// through IStaking (winner and claimant paid from it; both can lose) and forfeits or returns a held fee bond.
/// Storage holds only what moves need each round; the static opening (model, roots, query input, claimant, bond)
/// is kept as one hash (`config`) and passed back by the few calls that need it (docs/dispute.md §1).
/// Code split (EIP-170: one contract would be ~24.5 KB): DisputeCore (this file) holds the types, errors, events,
/// storage, immutables and shared internals; DisputeGame (DisputeGame.sol: the deployed, called contract: moves, one
/// step, views) and DisputeGameCold (DisputeGameCold.sol: opening and settlement, reached from DisputeGame by
/// DELEGATECALL) both inherit it, so their storage layouts are the same by construction.
/// `self_` is the game's address (the Receipt EIP-712 domain).
abstract contract DisputeCore is ReentrancyGuard {
    // ------------------------------------------------------------------ types
    struct Receipt {
        bytes32 queryHash;
        bytes32 modelHash;
        bytes32 outputHash;
        bytes32 traceRoot;
        address node;
        uint256 fee;
        uint64 issuedAt;
    }

    /// What the claimant opens a game with besides the receipts: the Query the receipts' queryHash is the EIP-712
    /// digest of (under the fee escrow's domain), the query input ITSELF (prompt token ids, or the classify vector:
    /// big-endian int32 each) — posted so that a node that lost the prompt reads it back from the opening's calldata;
    /// the game commits it like a trace (inputRoot) and checks promptHash = keccak256(uint256 inputLength ‖ inputRoot)
    /// — and the output preimages (int32 little-endian token ids) whose count fixes the number of steps of a generate run.
    struct Opening {
        IFeeEscrow.Query query;
        bytes input; // 4·inputLength bytes, big-endian int32 values (src/dispute/query-input.ts inputBytes)
        Params params; // the preimage of query.paramsHash
        bytes outputA;
        bytes outputB; // B's output (conflicts: its receipt's preimage; challenges: B's claimed output, empty = as A's)
    }

    /// The sampling parameters a query runs with (the engine's run options, engine.md §5.1): its canonical encoding
    /// is abi.encode(seeded, seed, maxTokens) — three 32-byte words — and Query.paramsHash = keccak256 of it
    /// (docs/spec/wire.md §8). Greedy runs: seeded = false and seed = 0. maxTokens ≥ 1 (classify: 1).
    struct Params {
        bool seeded;
        uint64 seed;
        uint32 maxTokens;
    }

    /// The static part of a game, fixed at opening; the game stores keccak256(abi.encode(config)) and the calls that
    /// need it (postSumsRoot, resolve*, settle) take it back in calldata (a word of calldata is cheaper than a slot).
    struct Config {
        bytes32 modelHash;
        bytes32 rootA; // A's and B's whole trace roots (agreed-prefix proofs)
        bytes32 rootB;
        bytes32 inputRoot; // the query input commitment (source elements are proven against it)
        uint256 inputLength;
        address claimant;
        bytes32 bondId; // verify-inference fee bond held for the game (0 = none)
        Params params; // seed for the random/seeded sources, maxTokens for the stop rule
    }

    /// The receipts a game is over (EIP-712 digests): their signers are slashed at most once per receipt
    /// (slashedReceipt). Kept apart from Config, which every one step passes back: settlement alone reads them.
    struct Receipts {
        bytes32 a; // A's receipt
        bytes32 b; // B's receipt in a conflict; 0 for a challenger (slashed once per game)
    }

    /// markOutput's claim: token `token` of party X's (B if `isB`, else A) own output differs from its own trace's
    /// output element; both outputs as opened (checked against outputsOf), `proof` = leaf ‖ siblings against X's root.
    struct OutputMark {
        bool isB;
        uint256 token;
        bytes outputA;
        bytes outputB;
        bytes proof;
    }

    /// What the link step needs besides the config, committed by `Game.aux` once both sums roots are posted.
    struct Links {
        bytes32 leafA; // A's trace leaf holding the disputed element (agreed words before it; A's value)
        bytes32 sumsRootA;
        bytes32 sumsRootB;
    }

    /// Phases (docs/dispute.md §2). Trace/Sums: bisection; *Step: one step pending; LinksA/LinksB: each party
    /// posts its partial-sums root; Decided: the outcome is known (in `turn`), settle() pays it; Done: settled.
    /// Stop: the first difference lies past the end of the shorter trace; either party shows whether the stop rule
    /// ended the run there (resolveStop). Output: both parties commit the SAME trace (equal roots at the common
    /// depth) but their outputs differ: the output check (resolveOutput) or, for different lengths, the stop rule
    /// (resolveStop) on the shared trace decides.
    enum Phase { None, Trace, TraceStep, LinksA, LinksB, Sums, SumsStep, Decided, Done, Stop, Output }

    struct Game {
        // slot 0
        address a;
        Phase phase;
        uint8 turn; // 0 = A must move, 1 = B must move; in Decided: bit 0 = A was right, bit 1 = B was right, bit 2 = no reward (NO_REWARD)
        uint8 level; // level of the disputed node in the tree in play
        uint8 logArity; // b: a round descends up to b levels (k = 2^b children)
        uint64 deadline; // unix seconds: of the move on turn; in Decided, from when settle() may run
        // slot 1
        address b;
        uint8 traceDepth;
        uint8 sumsDepth;
        int32 valueB; // B's disputed word (TraceStep: trace element; SumsStep: partial sum); A's is read from nodeA
        uint32 links; // fan-in F of the disputed reduction (LinksA onwards), derived from the layout
        bool posted; // the last mover posted its children of the disputed node: the next move is a difference proof
        // slot 2
        uint64 index; // index of the disputed node at `level` (SumsStep: the disputed partial sum)
        uint40 element; // disputed trace element (TraceStep onwards)
        uint40 elements; // A's trace length n = steps · stepElements, derived at opening from its output
        uint40 elementsB; // B's (differs from A's when their outputs have different lengths)
        uint8 wrong; // bit 0: A already shown wrong, bit 1: B (stop rule, output mark); applied to every later decision
        int32 sumA; // SumsStep: A's disputed partial sum sums[index]
        int32 sumPrev; // SumsStep: the agreed sums[index − 1] (0 when index = 0), fixed by the isolating move
        // slots 3..
        bytes32 nodeA; // A's disputed node (at level 0: A's leaf; SumsStep: A's TRACE leaf, from the Links)
        bytes32 nodeB;
        bytes32 config; // keccak256(abi.encode(Config))
        bytes32 aux; // LinksA: A's trace leaf; from LinksB on: keccak256(abi.encode(Links))
    }

    // ------------------------------------------------------------------ errors
    error NoStake(address node);
    error ChallengerStakeTooLow(address challenger, uint256 free, uint256 required);
    error ReceiptExpired(bytes32 receiptDigest, uint64 issuedAt, uint256 windowEnd, uint256 now_);
    error ReceiptFromFuture(bytes32 receiptDigest, uint64 issuedAt, uint256 now_);
    error ReceiptAlreadySlashed(bytes32 receiptDigest);
    error ReceiptsOutOfOrder(bytes32 digestA, bytes32 digestB);
    error BondNotForReceipt(bytes32 bondId, bytes32 expected);
    error BondAnswerMismatch(bytes32 bondId, bytes32 answerHash, bytes32 outputHash);
    error SettleTooEarly(bytes32 disputeId, uint64 settleAt, uint256 now_);
    error WindowsOutOfOrder(uint256 have, uint256 need);
    error BadInput(uint256 byteLength);
    error BadSignature(address expected, address recovered);
    error ReceiptsDoNotConflict(bytes32 queryHash, bytes32 modelHash);
    error ModelMismatch(bytes32 modelA, bytes32 modelB);
    error QueryMismatch(bytes32 queryA, bytes32 queryB);
    error SameParty(address node);
    error SameTraceRoot(bytes32 traceRoot);
    error GameExists(bytes32 disputeId);
    error NoGame(bytes32 disputeId);
    error WrongPhase(bytes32 disputeId, Phase phase);
    error NotYourTurn(bytes32 disputeId, address caller, address expected);
    error NotAParty(bytes32 disputeId, address caller);
    error DeadlinePassed(bytes32 disputeId, uint64 deadline);
    error DeadlineNotPassed(bytes32 disputeId, uint64 deadline);
    error WrongChildCount(uint256 given, uint256 expected);
    error ChildrenDoNotMatchParent(bytes32 parent, bytes32 combined);
    error BadDifferenceProof(uint256 child);
    error NoDifference(bytes32 disputeId);
    error BadElementCount(uint256 elements);
    error BadLinkCount(uint256 links);
    error BadSumProof(bytes32 disputeId, address party);
    error SumMismatch(int256 lastSum, int256 element);
    error QueryHashMismatch(bytes32 receiptQueryHash, bytes32 computed);
    error PromptHashMismatch(bytes32 promptHash, bytes32 computed);
    error OutputHashMismatch(bytes32 outputHash, bytes32 computed);
    error BadParams(bytes32 paramsHash, bytes32 computed);
    error BadConfig(bytes32 disputeId, bytes32 stored, bytes32 given);
    error BadLinks(bytes32 disputeId);
    error BadOutputs(bytes32 disputeId);
    error OutputsAgree(bytes32 disputeId, uint256 token);
    error BadOutputProof(bytes32 disputeId, uint256 element);
    error OutputMatchesTrace(bytes32 disputeId, uint256 token);
    error AlreadyWrong(bytes32 disputeId, bool isB);

    // ------------------------------------------------------------------ events (every state change)
    event DisputeOpened(bytes32 indexed id, address indexed a, address indexed b, bytes32 queryHash, Config config, uint256 elementsA, uint256 elementsB, uint8 logArity, uint64 deadline);
    event ChildrenPosted(bytes32 indexed id, address indexed party, uint8 level, uint256 index, bytes32[] children, uint64 deadline);
    /// A difference proof moved the game to node (level, index); the mover's ChildrenPosted (or the isolation) follows.
    event Bisected(bytes32 indexed id, address indexed party, uint8 level, uint256 index, bytes32 nodeA, bytes32 nodeB, uint64 deadline);
    event ElementIsolated(bytes32 indexed id, uint256 element, int256 valueA, int256 valueB, uint64 deadline);
    event SumsRootPosted(bytes32 indexed id, address indexed party, uint256 links, bytes32 sumsRoot, uint64 deadline);
    /// Both sums roots are in: the preimage of `aux` the link step passes back.
    event LinksOpened(bytes32 indexed id, Links links);
    event SumIsolated(bytes32 indexed id, uint256 sumIndex, int256 valueA, int256 valueB, uint64 deadline);
    /// The first difference is past the end of the shorter trace (`shortIsA`): the stop rule decides (resolveStop).
    event StopDisputed(bytes32 indexed id, uint256 element, bool shortIsA, uint64 deadline);
    /// The stop rule did not end the shorter run: its party is wrong; the element is replayed for the other.
    event StopChecked(bytes32 indexed id, bool stopped, uint64 deadline);
    /// Both parties commit the same trace (equal roots at the common depth) and their outputs differ: the outputs are
    /// checked against that trace (resolveOutput / resolveStop). `outputB` is B's effective output.
    event OutputDisputed(bytes32 indexed id, bytes outputA, bytes outputB, uint64 deadline);
    /// Token j of each output (0 past its end: padding) against the shared trace's output element `element`.
    event OutputChecked(bytes32 indexed id, uint256 token, uint256 element, int256 traceValue, int256 tokenA, int256 tokenB);
    /// Token j of party `isB ? B : A`'s own output differs from its own trace's output element `element`: it is wrong.
    event OutputMarked(bytes32 indexed id, bool isB, uint256 token, uint256 element, int256 traceValue, int256 tokenValue);
    event StepReplayed(bytes32 indexed id, int256 computed, int256 valueA, int256 valueB);
    event TimedOut(bytes32 indexed id, address indexed late, Phase phase);
    /// The game is decided (one step, padding or timeout); settle(id) pays it out settleDelay later.
    event Decided(bytes32 indexed id, bool aRight, bool bRight);
    /// The other side of a party already shown wrong that timed out: unlocked, but not rewarded (its own claim was
    /// never checked).
    event NoReward(bytes32 indexed id);
    event Resolved(bytes32 indexed id, address indexed winner, address indexed loser, bool bothLost, uint256 slashedA, uint256 slashedB);

    // ------------------------------------------------------------------ configuration
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 queryHash,bytes32 modelHash,bytes32 outputHash,bytes32 traceRoot,address node,uint256 fee,uint64 issuedAt)"
    );
    bytes32 public constant QUERY_TYPEHASH = keccak256(
        "Query(address client,bytes32 modelHash,bytes32 promptHash,bytes32 paramsHash,uint256 maxFee,uint256 nonce,uint64 deadline)"
    );
    /// The largest log2 arity: a move posts ≤ 64 children (2 KiB, 63 hashes), far inside any block (issue 11, attack 2).
    uint8 public constant MAX_LOG_ARITY = 6;
    /// Seconds a signer's clock may run ahead: a receipt with issuedAt > now + skew is refused (clients refuse it too).
    uint64 public constant RECEIPT_CLOCK_SKEW = 300;
    /// Longest query input posted at opening (int32 values): engine.md §4.1 prompts ≤ 4,096; a classify vector ≤ 2^24.
    uint256 public constant MAX_INPUT_LENGTH = 1 << 24;
    uint8 internal constant NO_REWARD = 4;

    IFeeEscrow public immutable escrow;
    IStaking public immutable staking;
    OneStepVerifier public immutable oneStep;
    uint64 public immutable moveTimeout; // seconds each move may take
    uint256 public immutable slashAmount; // wei taken from each loser (capped by its slashable stake); a challenger reserves it
    uint16 public immutable winnerBps; // share of a loser's slash credited to the winner
    uint16 public immutable claimantBps; // share credited to the claimant (added to winnerBps when they are the same)
    /// b: a round descends up to b levels (k = 2^b children), a protocol constant of the deployment (1..MAX_LOG_ARITY).
    uint8 public immutable logArity;
    /// Seconds after a receipt's issuedAt during which it can be disputed; its signer keeps the prompt that long.
    uint64 public immutable disputeWindow;
    /// Seconds between a game's decision and its settlement (a watcher's markOutput can still change the outcome).
    uint64 public immutable settleDelay;
    /// EIP-712 domains cached for the deployment chain; recomputed when block.chainid differs (a fork).
    uint256 private immutable _chainId;
    address private immutable _self;
    bytes32 private immutable _domain;
    bytes32 private immutable _queryDomain;

    mapping(bytes32 => Game) internal games;
    /// receipt digest → its signer was slashed for it (once per receipt: no double slashing for one lie). Any number
    /// of games may run over a receipt until then: a lost or abandoned one makes it immune to nothing.
    mapping(bytes32 => bool) public slashedReceipt;
    /// game → the receipts it is over (settlement marks slashedReceipt).
    mapping(bytes32 => Receipts) public receiptsOf;
    /// game → keccak256(abi.encode(keccak256(outputA), keccak256(outputB))) as opened (Opening.outputA / outputB): the
    /// output check and the output mark take both outputs back in calldata. (In Output outputB is never empty: the
    /// same root with no output of B's own is refused at opening.)
    mapping(bytes32 => bytes32) public outputsOf;
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
        uint64 settleDelay_,
        address self_
    ) {
        require(uint256(winnerBps_) + claimantBps_ <= 10000 && logArity_ >= 1 && logArity_ <= MAX_LOG_ARITY);
        staking = staking_;
        oneStep = oneStep_;
        escrow = escrow_;
        moveTimeout = moveTimeout_;
        slashAmount = slashAmount_;
        winnerBps = winnerBps_;
        claimantBps = claimantBps_;
        logArity = logArity_;
        disputeWindow = disputeWindow_;
        settleDelay = settleDelay_;
        _chainId = block.chainid;
        _self = self_;
        _domain = _hyperspaceDomain(self_);
        _queryDomain = _hyperspaceDomain(address(escrow_));
    }

    /// EIP-712 domain of receipts: {Hyperspace, 1, chainId, this game}; recomputed on another chain id (a fork).
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == _chainId ? _domain : _hyperspaceDomain(_self);
    }

    /// EIP-712 domain of the fee escrow: the one a Query is signed and digested under (docs/spec/wire.md §8).
    function QUERY_DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == _chainId ? _queryDomain : _hyperspaceDomain(address(escrow));
    }

    /// Upper bound on a game's length (s): every move restarts one deadline of moveTimeout, and a game has at most
    /// ⌈40/b⌉ + 1 trace moves (elements < 2^40), a stop check, two sums roots, ⌈29/b⌉ sums moves (links < 2^32), the
    /// step and two turn passes (≤ ⌈40/b⌉ + ⌈29/b⌉ + 8 deadlines), then settleDelay.
    function maxGameDuration() public view returns (uint256) {
        return _maxGameDuration(logArity, moveTimeout, settleDelay);
    }

    function _maxGameDuration(uint256 b, uint256 t, uint256 s) internal pure returns (uint256) {
        return ((40 + b - 1) / b + (29 + b - 1) / b + 8) * t + s;
    }

    /// The EIP-712 domain separator of a Hyperspace contract at `verifyingContract` on this chain.
    function _hyperspaceDomain(address verifyingContract) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Hyperspace"),
                keccak256("1"),
                block.chainid,
                verifyingContract
            )
        );
    }

    /// A party's partial-sums root of the disputed reduction with the proof (`lastLeaf`, `siblings`) that its last sum
    /// sums[F] equals its disputed element, and its first sums-bisection move: A (first) posts its children of its sums
    /// root; B (second) a difference proof against A's children and its own children of the new node (as `bisect`).
    struct SumsPost {
        uint256 node; // A: the node holding the element (the link count F is derived from it); B: ignored
        bytes32 root;
        bytes32 lastLeaf;
        bytes32[] siblings;
        uint256 child; // B: the difference proof's child
        bytes proof; // B: the difference proof (empty when the sums tree is one leaf)
        bytes32[] children;
    }

    // ------------------------------------------------------------------ internals (shared by DisputeGame and DisputeGameCold)
    function receiptDigest(Receipt calldata r) public view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), keccak256(abi.encode(RECEIPT_TYPEHASH, r))));
    }

    /// Checks the opening against the receipt (query digest, model, prompt commitment, params preimage, A's output
    /// preimage); the model's layout and the trace lengths are the verifier's (ModelLayouts.traceLengths). Returns
    /// the input's commitment (inputRoot, inputLength).
    function _checkOpening(Receipt calldata r, Opening calldata o) internal view returns (bytes32 inputRoot, uint256 inputLength) {
        IFeeEscrow.Query calldata q = o.query;
        bytes32 qh = keccak256(
            abi.encodePacked(
                hex"1901",
                QUERY_DOMAIN_SEPARATOR(),
                keccak256(abi.encode(QUERY_TYPEHASH, q.client, q.modelHash, q.promptHash, q.paramsHash, q.maxFee, q.nonce, q.deadline))
            )
        );
        if (qh != r.queryHash) revert QueryHashMismatch(r.queryHash, qh);
        if (q.modelHash != r.modelHash) revert ModelMismatch(q.modelHash, r.modelHash);
        (inputRoot, inputLength) = _inputRoot(o.input);
        bytes32 ph = keccak256(abi.encodePacked(inputLength, inputRoot));
        if (ph != q.promptHash) revert PromptHashMismatch(q.promptHash, ph);
        bytes32 pp = keccak256(abi.encode(o.params));
        if (pp != q.paramsHash || o.params.maxTokens == 0 || (!o.params.seeded && o.params.seed != 0)) revert BadParams(q.paramsHash, pp);
        if (keccak256(o.outputA) != r.outputHash) revert OutputHashMismatch(r.outputHash, keccak256(o.outputA));
    }

    /// The query input's commitment, computed from the input itself: 8 big-endian int32 per 32-byte leaf (the last
    /// zero-padded), a binary keccak tree of depth traceDepth(n) over zero leaves (docs/commitment.md §1).
    function _inputRoot(bytes calldata input) internal pure returns (bytes32 root, uint256 n) {
        n = input.length / 4;
        if (input.length % 4 != 0 || n == 0 || n > MAX_INPUT_LENGTH) revert BadInput(input.length);
        uint256 m = (n + 7) / 8;
        bytes32[] memory level = new bytes32[](m);
        assembly {
            calldatacopy(add(level, 32), input.offset, input.length)
        }
        uint256 depth = MerkleLib.traceDepth(n);
        bytes32 z = bytes32(0);
        for (uint256 d = 0; d < depth; ++d) {
            uint256 half = (m + 1) / 2;
            for (uint256 i = 0; i < half; ++i) {
                level[i] = MerkleLib.hashPair(level[2 * i], 2 * i + 1 < m ? level[2 * i + 1] : z);
            }
            m = half;
            z = MerkleLib.hashPair(z, z);
        }
        root = level[0];
    }

    /// A receipt can open a game when its signature is the node's, its node has stake a slash can reach (queued stake
    /// counts: queuing a withdrawal does not escape a dispute), it is inside its dispute window, and its node was not
    /// already slashed for it.
    function _checkReceipt(Receipt calldata r, bytes calldata sig) internal view returns (bytes32 digest) {
        digest = receiptDigest(r);
        address signer = _recover(digest, sig);
        if (signer != r.node || signer == address(0)) revert BadSignature(r.node, signer);
        if (staking.slashableStake(r.node) == 0) revert NoStake(r.node);
        if (r.issuedAt > block.timestamp + RECEIPT_CLOCK_SKEW) revert ReceiptFromFuture(digest, r.issuedAt, block.timestamp);
        uint256 end = uint256(r.issuedAt) + disputeWindow;
        if (block.timestamp > end) revert ReceiptExpired(digest, r.issuedAt, end, block.timestamp);
        if (slashedReceipt[digest]) revert ReceiptAlreadySlashed(digest);
    }

    /// ecrecover with the EIP-2 low-s rule and v ∈ {27, 28}; returns 0 for anything malformed.
    function _recover(bytes32 digest, bytes calldata sig) internal pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0 || (v != 27 && v != 28)) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// A = ra.node; the query and model come from `ra` (equal in both receipts when there are two). Each party's trace
    /// length comes from its output; the two trees are compared at the larger depth, the shorter one's root lifted
    /// with all-zero subtrees (its padding, docs/commitment.md §1), and Config keeps the lifted roots. A party whose
    /// output no honest run can give (see _length) is decided wrong at once.
    /// `c` comes in with the bond; the rest is filled here. `reserveB`: B's stake reserved for the game (a
    /// challenger's slashAmount; 0 for a receipt signer). `da` / `db`: the receipt digests (db = 0 for a challenge).
    function _open(bytes32 id, address b, bytes32 rootA, bytes32 rootB, Receipt calldata ra, Opening calldata o, Config memory c, uint256 reserveB, bytes32 da, bytes32 db) internal {
        Game storage g = games[id];
        if (g.phase != Phase.None) revert GameExists(id);
        receiptsOf[id] = Receipts(da, db);
        uint8 bad;
        (bad, c.inputRoot, c.inputLength) = _setLengths(g, ra, o);
        uint8 depth = g.traceDepth;
        c.modelHash = ra.modelHash;
        c.rootA = _lift(rootA, MerkleLib.traceDepth(g.elements), depth);
        c.rootB = _lift(rootB, MerkleLib.traceDepth(g.elementsB), depth);
        c.claimant = msg.sender;
        c.params = o.params;
        g.a = ra.node;
        g.b = b;
        g.phase = Phase.Trace;
        g.logArity = logArity;
        g.nodeA = c.rootA;
        g.nodeB = c.rootB;
        g.config = keccak256(abi.encode(c));
        _deadline(g);
        emit DisputeOpened(id, g.a, b, ra.queryHash, c, g.elements, g.elementsB, g.logArity, g.deadline);
        outputsOf[id] = _outputsHash(o.outputA, o.outputB); // a challenger's empty outputB claims no token: unmarkable
        staking.lock(g.a, id, 0);
        staking.lock(b, id, reserveB);
        if (bad != 0) _decide(id, g, bad & 1 == 0, bad & 2 == 0);
        else if (c.rootA == c.rootB) _openOutput(id, g, o);
        else if (depth == 0) _isolate(id, g, msg.data[0:0]);
    }

    /// Equal (lifted) roots: both parties commit one trace T, so no bisection can find a difference; what differs is
    /// the outputs (equal outputs too: no conflict). The output check (resolveOutput) or the stop rule on T
    /// (resolveStop, different lengths) decides; A is late-loser (it had the first chance, as in the step phases).
    function _openOutput(bytes32 id, Game storage g, Opening calldata o) internal {
        bytes calldata ob = _outB(o);
        bytes32 ha = keccak256(o.outputA);
        if (ha == keccak256(ob)) revert ReceiptsDoNotConflict(o.query.modelHash, ha);
        g.phase = Phase.Output;
        g.turn = 0;
        emit OutputDisputed(id, o.outputA, ob, g.deadline);
    }

    /// B's effective output: its claimed one, or (a challenge that names none) A's.
    function _outB(Opening calldata o) internal pure returns (bytes calldata) {
        return o.outputB.length == 0 ? o.outputA : o.outputB;
    }

    function _outputsHash(bytes calldata outputA, bytes calldata outputB) internal pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(outputA), keccak256(outputB)));
    }

    /// Both trace lengths (from the outputs), the common depth; returns bit 0 / bit 1 for an impossible output of A / B.
    function _setLengths(Game storage g, Receipt calldata ra, Opening calldata o) internal returns (uint8 bad, bytes32 inputRoot, uint256 inputLength) {
        (inputRoot, inputLength) = _checkOpening(ra, o);
        (uint256 ea, uint256 eb, uint256 se) = oneStep.traceLengths(ra.modelHash, inputLength, o.params.maxTokens, o.outputA, o.outputB);
        bad = (ea == 0 ? 1 : 0) | (eb == 0 ? 2 : 0);
        if (ea == 0) ea = eb == 0 ? se : eb;
        if (eb == 0) eb = ea;
        if (ea > type(uint40).max || eb > type(uint40).max) revert BadElementCount(ea > eb ? ea : eb);
        uint8 depth = uint8(MerkleLib.traceDepth(ea > eb ? ea : eb));
        g.elements = uint40(ea);
        g.elementsB = uint40(eb);
        g.traceDepth = depth;
        g.level = depth;
    }

    /// The root of a tree of depth `from` seen as the left-most subtree of a tree of depth `to` (the rest zero).
    function _lift(bytes32 root, uint256 from, uint256 to) internal pure returns (bytes32) {
        bytes32 z = bytes32(0);
        for (uint256 d = 0; d < to; ++d) {
            if (d >= from) root = MerkleLib.hashPair(root, z);
            z = MerkleLib.hashPair(z, z);
        }
        return root;
    }

    /// At level 0 of the sums bisection `proof` continues after the difference proof with the isolation tail (_isolate).
    function _bisect(bytes32 id, Game storage g, uint8 who, uint256 child, bytes calldata proof, bytes32[] calldata children) internal {
        (bytes32 ca, bytes32 cb, uint256 end) = _descend(id, g, child, proof);
        if (g.level == 0) {
            if (children.length != 0) revert WrongChildCount(children.length, 0);
            if (g.phase == Phase.Trace && end != proof.length) revert BadDifferenceProof(child);
            g.posted = false;
            g.turn = 0; // in the step phases A is on turn (it had the first chance)
            _isolate(id, g, proof[end:]);
        } else {
            if (end != proof.length) revert BadDifferenceProof(child);
            g.turn = 1 - who;
            _postChildren(id, g, children, who == 0 ? ca : cb);
        }
    }

    function _descend(bytes32 id, Game storage g, uint256 child, bytes calldata proof) internal returns (bytes32 ca, bytes32 cb, uint256 end) {
        uint256 s = _height(g);
        (ca, cb, end) = _firstDifference(g.nodeA, g.nodeB, s, child, proof);
        g.level = uint8(g.level - s);
        g.index = uint64((uint256(g.index) << s) + child);
        g.nodeA = ca;
        g.nodeB = cb;
        _deadline(g);
        _emitBisected(id, g);
    }

    function _emitBisected(bytes32 id, Game storage g) internal {
        emit Bisected(id, msg.sender, g.level, g.index, g.nodeA, g.nodeB, g.deadline);
    }

    /// Checks `children` recombine to the poster's node `parent` and publishes them (the other party proves against them).
    function _postChildren(bytes32 id, Game storage g, bytes32[] calldata children, bytes32 parent) internal {
        uint256 s = _height(g);
        if (children.length != 1 << s) revert WrongChildCount(children.length, 1 << s);
        bytes32 combined = MerkleLib.combine(children);
        if (combined != parent) revert ChildrenDoNotMatchParent(parent, combined);
        emit ChildrenPosted(id, msg.sender, g.level, g.index, children, g.deadline);
    }

    /// Levels one move descends from the current node: min(logArity, level).
    function _height(Game storage g) internal view returns (uint256) {
        return g.level < g.logArity ? g.level : g.logArity;
    }

    /// Verifies a difference proof of height s against A's and B's parents; returns the two children at `child` and
    /// where the proof ends in `p`.
    /// Equal shared left siblings prove every earlier child equal (keccak collision resistance), so `child` is the first
    /// difference; the paths recombining to the stored parents bind both children to their trees.
    function _firstDifference(bytes32 parentA, bytes32 parentB, uint256 s, uint256 child, bytes calldata p) internal pure returns (bytes32 ca, bytes32 cb, uint256 off) {
        if (child >> s != 0 || p.length < 64) revert BadDifferenceProof(child);
        ca = bytes32(p[0:32]);
        cb = bytes32(p[32:64]);
        if (ca == cb) revert BadDifferenceProof(child);
        bytes32 a = ca;
        bytes32 b = cb;
        off = 64;
        for (uint256 l = 0; l < s; ++l) {
            if ((child >> l) & 1 == 1) {
                if (off + 32 > p.length) revert BadDifferenceProof(child);
                bytes32 x = bytes32(p[off:off + 32]);
                a = MerkleLib.hashPair(x, a);
                b = MerkleLib.hashPair(x, b);
                off += 32;
            } else {
                if (off + 64 > p.length) revert BadDifferenceProof(child);
                a = MerkleLib.hashPair(a, bytes32(p[off:off + 32]));
                b = MerkleLib.hashPair(b, bytes32(p[off + 32:off + 64]));
                off += 64;
            }
        }
        if (a != parentA || b != parentB) revert BadDifferenceProof(child);
    }

    /// Two differing leaves: the disputed word is their first differing one. Trace: A's leaf stays in nodeA; of B's
    /// leaf only the disputed word is kept (`tail` empty). Sums: the isolating mover's `tail` = Links (leafA ‖
    /// sumsRootA ‖ sumsRootB, checked against aux) ‖, when the disputed sum s is word 0 of its leaf and s > 0, the
    /// previous leaf (agreed: it lies before the first difference) ‖ its siblings bottom-up against the mover's own
    /// sums root. The game keeps A's sum, the agreed sums[s − 1] and A's trace leaf (nodeA), so the link step needs
    /// no sums proof and no Links (docs/dispute.md §3).
    function _isolate(bytes32 id, Game storage g, bytes calldata tail) internal {
        uint256 w = 0;
        bytes32 la = g.nodeA;
        bytes32 lb = g.nodeB;
        while (MerkleLib.traceWord(la, w) == MerkleLib.traceWord(lb, w)) ++w; // w < 8: the leaves differ
        int256 va = MerkleLib.traceWord(la, w);
        int256 vb = MerkleLib.traceWord(lb, w);
        uint256 e = uint256(g.index) * 8 + w;
        g.valueB = int32(vb);
        uint64 dl = _deadline(g);
        if (g.phase == Phase.Trace) {
            g.phase = Phase.TraceStep;
            g.element = uint40(e);
            emit ElementIsolated(id, e, va, vb, dl);
            bool pastA = e >= g.elements;
            bool pastB = e >= g.elementsB;
            if (pastA && pastB) _decide(id, g, va == 0, vb == 0); // beyond both traces: the party with a non-zero word lied
            else if (pastA || pastB) {
                g.phase = Phase.Stop; // past the shorter trace only: did the stop rule end it there?
                emit StopDisputed(id, e, pastA, dl);
            }
        } else {
            g.phase = Phase.SumsStep;
            g.index = uint64(e); // the disputed partial-sum index
            emit SumIsolated(id, e, va, vb, dl);
            if (e > g.links) {
                _decide(id, g, va == 0, vb == 0); // padding past sums[F]: the party with a non-zero word lied
                return;
            }
            if (tail.length < 96 || keccak256(tail[0:96]) != g.aux) revert BadLinks(id);
            int256 prev = w > 0 ? MerkleLib.traceWord(la, w - 1) : int256(0);
            if (w == 0 && e > 0) {
                bytes32 root = bytes32(msg.sender == g.a ? tail[32:64] : tail[64:96]);
                if (tail.length < 128 || !MerkleLib.verifyPacked(root, g.sumsDepth, e / 8 - 1, bytes32(tail[96:128]), tail[128:])) revert BadSumProof(id, msg.sender);
                prev = MerkleLib.traceWord(bytes32(tail[96:128]), 7);
            } else if (tail.length != 96) revert BadLinks(id);
            g.sumA = int32(va);
            g.sumPrev = int32(prev);
            g.nodeA = bytes32(tail[0:32]);
        }
    }

    function _replayElement(Game storage g, Config calldata c, uint256 node, bytes calldata proofs, bool isA, bytes32 leafA) internal view returns (int256) {
        OneStepVerifier.Prefix memory trace = OneStepVerifier.Prefix(isA ? c.rootA : c.rootB, g.traceDepth, g.element, leafA);
        return oneStep.elementwise(c.modelHash, node, trace, OneStepVerifier.Input(c.inputRoot, c.inputLength, c.params.seeded, c.params.seed), proofs);
    }

    /// The output check's verdict: each token against the shared trace's element (proven against its root).
    function _checkOutput(bytes32 id, Game storage g, Config calldata c, uint256 j, int256 ta, int256 tb, bytes calldata proof) internal {
        (uint256 e, int256 v) = _outputValue(id, g, c, c.rootA, j, proof);
        emit OutputChecked(id, j, e, v, ta, tb);
        _decide(id, g, ta == v, tb == v);
    }

    /// Token j of a party's own output; past its end it has no token to lie with (OutputMatchesTrace).
    function _ownToken(bytes32 id, bytes calldata out, uint256 j) internal pure returns (int256) {
        if (4 * j + 4 > out.length) revert OutputMatchesTrace(id, j);
        return _token(out, j);
    }

    function _checkOutputs(bytes32 id, bytes calldata outputA, bytes calldata outputB) internal view {
        if (_outputsHash(outputA, outputB) != outputsOf[id]) revert BadOutputs(id);
    }

    /// Trace `root`'s element at token j's index, proven by `proof` (OneStepVerifier.outputValue), else BadOutputProof.
    function _outputValue(bytes32 id, Game storage g, Config calldata c, bytes32 root, uint256 j, bytes calldata proof) internal view returns (uint256 e, int256 v) {
        bool ok;
        (e, v, ok) = oneStep.outputValue(c.modelHash, c.inputLength, j, root, g.traceDepth, proof);
        if (!ok) revert BadOutputProof(id, e);
    }

    /// Output token `j` (int32 little-endian at byte 4j), 0 past the end (the padding of a shorter run).
    function _token(bytes calldata out, uint256 j) internal pure returns (int256) {
        if (4 * j + 4 > out.length) return 0;
        uint256 o = 4 * j;
        uint32 v = uint32(uint8(out[o])) | (uint32(uint8(out[o + 1])) << 8) | (uint32(uint8(out[o + 2])) << 16) | (uint32(uint8(out[o + 3])) << 24);
        return int256(int32(v));
    }

    function _judge(bytes32 id, Game storage g, int256 got, int256 va, int256 vb) internal {
        emit StepReplayed(id, got, va, vb);
        _decide(id, g, got == va, got == vb);
    }

    function _checkConfig(bytes32 id, Game storage g, Config calldata c) internal view {
        bytes32 h = keccak256(abi.encode(c));
        if (h != g.config) revert BadConfig(id, g.config, h);
    }

    /// aRight / bRight: whether each party's claim stood. Recorded in `turn` (bits 0 and 1); settle() acts on it.
    function _decide(bytes32 id, Game storage g, bool aRight, bool bRight) internal {
        aRight = aRight && g.wrong & 1 == 0;
        bRight = bRight && g.wrong & 2 == 0;
        g.phase = Phase.Decided;
        g.turn = (aRight ? 1 : 0) | (bRight ? 2 : 0);
        g.deadline = uint64(block.timestamp) + settleDelay; // settle() from then: a watcher can still markOutput
        emit Decided(id, aRight, bRight);
    }

    /// Slashes `loser` once per receipt (`receipt` = its receipt digest; 0 for a challenger: once per game). A receipt
    /// its signer was already slashed for only unlocks. `winner` (0 = none) gets winnerBps, the claimant claimantBps
    /// unless it is the loser itself; the rest is burned.
    function _slash(address loser, bytes32 id, bytes32 receipt, address winner, address claimant) internal returns (uint256) {
        if (receipt != bytes32(0)) {
            if (slashedReceipt[receipt]) {
                staking.unlock(loser, id);
                return 0;
            }
            slashedReceipt[receipt] = true;
        }
        if (claimant == loser) claimant = address(0);
        uint256 n = (winner != address(0) ? 1 : 0) + (claimant != address(0) && claimant != winner ? 1 : 0);
        address[] memory to = new address[](n);
        uint16[] memory bps = new uint16[](n);
        uint256 i;
        if (winner != address(0)) (to[i], bps[i++]) = (winner, claimant == winner ? winnerBps + claimantBps : winnerBps);
        if (claimant != address(0) && claimant != winner) (to[i], bps[i]) = (claimant, claimantBps);
        return staking.slash(loser, id, slashAmount, to, bps);
    }

    function _game(bytes32 id) internal view returns (Game storage g) {
        g = games[id];
        if (g.phase == Phase.None) revert NoGame(id);
    }

    function _onTurn(bytes32 id, Game storage g, uint8 who) internal view {
        address expected = who == 0 ? g.a : g.b;
        if (g.turn != who || msg.sender != expected) revert NotYourTurn(id, msg.sender, expected);
        _live(id, g);
    }

    /// Reverts unless msg.sender is A or B; true for A.
    function _party(bytes32 id, Game storage g) internal view returns (bool isA) {
        isA = msg.sender == g.a;
        if (!isA && msg.sender != g.b) revert NotAParty(id, msg.sender);
    }

    function _live(bytes32 id, Game storage g) internal view {
        if (block.timestamp > g.deadline) revert DeadlinePassed(id, g.deadline);
    }

    function _deadline(Game storage g) internal returns (uint64 dl) {
        dl = uint64(block.timestamp) + moveTimeout;
        g.deadline = dl;
    }
}
