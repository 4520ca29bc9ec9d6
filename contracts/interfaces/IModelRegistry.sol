// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry — models the network serves and disputes refer to (whitepaper §2.2.4–2.2.5)
/// @notice `modelHash` is the model's weight commitment (src/commitment weightsRoot, the model-file hash);
/// `traceArity` is an advisory k (2..64) for k-ary bisection; the dispute game uses its own constant, not this.
/// A model hash is registered once; the first registrant is recorded and never changes.
interface IModelRegistry {
    error ZeroModelHash();
    error InvalidTraceArity(uint256 traceArity);
    error MetadataURITooLong(uint256 length, uint256 max);
    error ModelAlreadyRegistered(bytes32 modelHash, address registrant);
    error ModelNotRegistered(bytes32 modelHash);

    event ModelRegistered(bytes32 indexed modelHash, address indexed registrant, uint32 traceArity, string metadataURI);

    struct Model {
        address registrant;
        uint64 registeredAt;  // block timestamp (s)
        uint32 traceArity;    // 2..64, advisory
        string metadataURI;
    }

    function register(bytes32 modelHash, uint32 traceArity, string calldata metadataURI) external;
    /// Reverts ModelNotRegistered for an unknown hash.
    function getModel(bytes32 modelHash) external view returns (Model memory);
    function isRegistered(bytes32 modelHash) external view returns (bool);
    function traceArityOf(bytes32 modelHash) external view returns (uint32);
    function modelCount() external view returns (uint256);
    function modelAt(uint256 index) external view returns (bytes32);
}
