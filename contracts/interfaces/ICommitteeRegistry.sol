// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICommitteeRegistry — threshold committees' group keys and the on-chain certificate check
/// @notice Whitepaper §2.2.1; docs/threshold.md §4. A contract that accepts a certificate as evidence (a fraud claim
/// citing the answer a committee certified) calls verifyCertificate with the certificate and the committee's group
/// key (read once from groupKeyOf, or carried in its own calldata). The certificate layout (229 bytes):
///   version (1) ‖ receiptDigest (32) ‖ committeeId (32) ‖ keyId (4, BE) ‖ signers (32, bitmap) ‖ signature (128, G1)
interface ICommitteeRegistry {
    error CommitteeExists(bytes32 committeeId);
    error NotCommitteeOwner(bytes32 committeeId, address caller);
    error BadThreshold(uint16 threshold, uint16 size);
    error BadPointLength(uint256 length, uint256 expected);
    error BadPointPadding();
    error PointAtInfinity();
    error BadCertificateLength(uint256 length);
    error BadCertificateVersion(uint8 version);
    error UnknownGroupKey(bytes32 committeeId, uint32 keyId);
    error WrongGroupKey(bytes32 committeeId, uint32 keyId);
    error SignersOutOfRange(uint256 signers, uint16 size);
    error TooFewSigners(uint256 count, uint16 threshold);

    event CommitteeCreated(bytes32 indexed committeeId, address indexed owner, bytes32 label);
    event GroupKeyRegistered(bytes32 indexed committeeId, uint32 indexed keyId, bytes groupKey, uint16 threshold, uint16 size);

    /// Creates the committee keccak256(abi.encode(msg.sender, label)) owned by the caller.
    function createCommittee(bytes32 label) external returns (bytes32 committeeId);
    /// Registers a group key (256-byte EIP-2537 G2) under the committee's next key id (owner only).
    function registerGroupKey(bytes32 committeeId, bytes calldata groupKey, uint16 threshold, uint16 size) external returns (uint32 keyId);
    /// The registered key, its threshold and size; reverts UnknownGroupKey.
    function groupKeyOf(bytes32 committeeId, uint32 keyId) external view returns (bytes memory groupKey, uint16 threshold, uint16 size);
    /// True for a valid certificate, false for a well-formed one whose signature fails; typed reverts otherwise.
    function verifyCertificate(bytes calldata certificate, bytes calldata groupKey) external view returns (bool);
    /// The 32-byte message the committee signs for a certificate.
    function certificateMessage(bytes calldata certificate) external pure returns (bytes32);
    function committeeOwner(bytes32 committeeId) external view returns (address);
    function keyCount(bytes32 committeeId) external view returns (uint32);
}
