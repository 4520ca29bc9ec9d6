// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry — which models exist, their bisection arity, and who registered them (whitepaper §2.2.4–2.2.5)
/// @notice Permissionless and first-come: a model hash commits to the weights, so whoever registers it first only
/// fixes the metadata URI and an advisory trace arity; nobody can change either later. The dispute game does NOT read
/// the arity (a stranger's choice must not set the size of a move, issue 11 attack 2): its arity is its own protocol
/// constant (DisputeCore.logArity); the registry's is capped at the same bound.
contract ModelRegistry is IModelRegistry {
    /// Longest metadata URI accepted (bytes): an ipfs:// or https:// pointer, not the metadata itself.
    uint256 public constant MAX_METADATA_URI_LENGTH = 512;
    /// Largest k for k-ary trace bisection: one round posts k child roots; 64 × 32 B = 2 KiB and 63 hashes fit any block
    /// many times over (DisputeCore.MAX_LOG_ARITY = 6).
    uint32 public constant MAX_TRACE_ARITY = 64;

    mapping(bytes32 => Model) private _models;
    bytes32[] private _hashes;

    function register(bytes32 modelHash, uint32 traceArity, string calldata metadataURI) external {
        if (modelHash == bytes32(0)) revert ZeroModelHash();
        if (traceArity < 2 || traceArity > MAX_TRACE_ARITY) revert InvalidTraceArity(traceArity);
        if (bytes(metadataURI).length > MAX_METADATA_URI_LENGTH) {
            revert MetadataURITooLong(bytes(metadataURI).length, MAX_METADATA_URI_LENGTH);
        }
        Model storage m = _models[modelHash];
        if (m.registrant != address(0)) revert ModelAlreadyRegistered(modelHash, m.registrant);
        m.registrant = msg.sender;
        m.registeredAt = uint64(block.timestamp);
        m.traceArity = traceArity;
        m.metadataURI = metadataURI;
        _hashes.push(modelHash);
        emit ModelRegistered(modelHash, msg.sender, traceArity, metadataURI);
    }

    function getModel(bytes32 modelHash) external view returns (Model memory) {
        Model memory m = _models[modelHash];
        if (m.registrant == address(0)) revert ModelNotRegistered(modelHash);
        return m;
    }

    function isRegistered(bytes32 modelHash) external view returns (bool) {
        return _models[modelHash].registrant != address(0);
    }

    function traceArityOf(bytes32 modelHash) external view returns (uint32) {
        Model storage m = _models[modelHash];
        if (m.registrant == address(0)) revert ModelNotRegistered(modelHash);
        return m.traceArity;
    }

    function modelCount() external view returns (uint256) {
        return _hashes.length;
    }

    function modelAt(uint256 index) external view returns (bytes32) {
        return _hashes[index];
    }
}
