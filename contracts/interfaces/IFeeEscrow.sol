// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReentrancyGuard} from "./IReentrancyGuard.sol";

/// @title IFeeEscrow — client deposits, per-query fees and the verify-inference fee bond (whitepaper §2.2.3)
/// @notice Balances are pull payments: deposits, refunds, fee payouts, returned bonds and forfeited bonds are
/// credited to `balanceOf(account)` and leave the contract only through `withdraw`.
///
/// Queries: the client escrows `maxFee` against the EIP-712 digest of its Query, under the domain
/// {name "Hyperspace", version "1", chainId, verifyingContract = this FeeEscrow} (src/wire/query-receipt.ts).
/// The client or the settler it named (its community server) settles: pays nodes, refunds the rest.
/// After the deadline an unsettled query can be refunded by anyone.
///
/// Bonds: a HIN answering an inference-fortification challenge posts a bond with the hash of its answer. The
/// bond goes back to the HIN after `bondChallengeWindow` seconds, or — while the dispute contract holds or
/// before release — is forfeited by the dispute contract to a successful challenger.
interface IFeeEscrow is IReentrancyGuard {
    struct Query {
        address client;
        bytes32 modelHash;
        bytes32 promptHash;
        bytes32 paramsHash;
        uint256 maxFee;
        uint256 nonce;
        uint64 deadline;
    }

    /// None: unknown id. Escrowed: funds held. Settled / Refunded: final.
    enum QueryStatus { None, Escrowed, Settled, Refunded }
    /// Posted: within or after window, not yet released. Held: one or more disputes hold it (no release).
    enum BondStatus { None, Posted, Held, Released, Forfeited }

    struct QueryEscrow {
        address client;
        address settler;
        uint64 deadline;
        QueryStatus status;
        uint256 amount;
    }

    /// Field order packs into 4 storage slots: (node, postedAt) (hcs, releasableAt, status, holds) answerHash amount.
    struct Bond {
        address node;
        uint64 postedAt;
        address hcs;
        uint64 releasableAt;
        BondStatus status;
        uint16 holds; // games holding it now
        bytes32 answerHash;
        uint256 amount;
    }

    error NotOwner(address caller);
    error NotDisputeContract(address caller);
    error DisputeContractAlreadySet(address current);
    error ZeroAddress();
    error ZeroAmount();
    error InsufficientBalance(address account, uint256 available, uint256 requested);
    error NotQueryClient(address caller, address client);
    error QueryExpired(bytes32 queryHash, uint64 deadline, uint256 now_);
    error QueryAlreadyEscrowed(bytes32 queryHash);
    error QueryNotEscrowed(bytes32 queryHash, QueryStatus status);
    error NotSettler(bytes32 queryHash, address caller);
    error PayoutTooLarge(bytes32 queryHash, uint256 total, uint256 escrowed);
    error LengthMismatch(uint256 a, uint256 b);
    error QueryNotExpired(bytes32 queryHash, uint64 deadline, uint256 now_);
    error BondAlreadyExists(bytes32 bondId);
    error BondNotActive(bytes32 bondId, BondStatus status);
    error BondWindowOpen(bytes32 bondId, uint64 releasableAt, uint256 now_);
    error TransferFailed(address to, uint256 amount);

    event DisputeContractSet(address indexed dispute);
    event Deposited(address indexed account, uint256 amount, uint256 balance);
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);
    event QueryEscrowed(bytes32 indexed queryHash, address indexed client, address indexed settler, uint256 amount, uint64 deadline);
    event QueryFeePaid(bytes32 indexed queryHash, address indexed node, uint256 amount);
    event QuerySettled(bytes32 indexed queryHash, uint256 paid, uint256 refunded);
    event QueryRefunded(bytes32 indexed queryHash, address indexed client, uint256 amount);
    event BondPosted(bytes32 indexed bondId, address indexed node, address indexed hcs, bytes32 answerHash, uint256 amount, uint64 releasableAt);
    event BondHeld(bytes32 indexed bondId, bytes32 indexed disputeId);
    /// A holding game ended without a winning challenger; `holds` games still hold it (0: Posted again).
    event BondReturned(bytes32 indexed bondId, uint256 holds);
    event BondReleased(bytes32 indexed bondId, address indexed node, uint256 amount);
    event BondForfeited(bytes32 indexed bondId, bytes32 indexed disputeId, address indexed challenger, uint256 amount);

    function owner() external view returns (address);
    function disputeContract() external view returns (address);
    /// Owner only, once.
    function setDisputeContract(address dispute) external;
    /// Seconds after posting before a bond can be released.
    function bondChallengeWindow() external view returns (uint256);

    // ---------------------------------------------------------------- balances
    function deposit() external payable;
    function withdraw(uint256 amount) external;
    function balanceOf(address account) external view returns (uint256);

    // ---------------------------------------------------------------- queries
    /// EIP-712 digest of `query` under this contract's domain (what the client signed; the Receipt's queryHash).
    function hashQuery(Query calldata query) external view returns (bytes32);
    /// msg.sender must be query.client; takes query.maxFee from msg.value plus, if short, the caller's balance.
    function escrowQuery(Query calldata query, address settler) external payable returns (bytes32 queryHash);
    /// Client or settler: credits nodes[i] amounts[i] (sum ≤ escrowed), refunds the rest to the client.
    function settleQuery(bytes32 queryHash, address[] calldata nodes, uint256[] calldata amounts) external;
    /// Anyone, after the deadline, if not settled: the whole escrow back to the client's balance.
    function refundQuery(bytes32 queryHash) external;
    function getQuery(bytes32 queryHash) external view returns (QueryEscrow memory);

    // ---------------------------------------------------------------- verify-inference fee bond
    /// bondId = keccak256(abi.encode(msg.sender, hcs, challengeId)). msg.value is the bond.
    function postBond(address hcs, bytes32 challengeId, bytes32 answerHash) external payable returns (bytes32 bondId);
    /// Anyone, once the window passed and no dispute holds it: the bond back to the node's balance.
    function releaseBond(bytes32 bondId) external;
    /// Dispute contract only: stops release while a challenge runs (several games may hold one bond).
    function holdBond(bytes32 bondId, bytes32 disputeId) external;
    /// Dispute contract only: a holding game ended without a winning challenger; drops its hold (Posted again at
    /// zero holds: releasable after the window). No-op on a forfeited bond.
    function returnBond(bytes32 bondId) external;
    /// Dispute contract only: the challenge succeeded; the bond goes to `challenger`. No-op if already forfeited.
    function forfeitBond(bytes32 bondId, bytes32 disputeId, address challenger) external;
    function getBond(bytes32 bondId) external view returns (Bond memory);
    function bondIdOf(address node, address hcs, bytes32 challengeId) external pure returns (bytes32);
}
