// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BLS12381} from "./lib/BLS12381.sol";
import {ICommitteeRegistry} from "./interfaces/ICommitteeRegistry.sol";

/// @title CommitteeRegistry — group keys of the threshold committees, and the on-chain certificate check
/// @notice Whitepaper §2.2.1; docs/threshold.md §3–4; docs/decisions/0003. A community server creates a committee
/// (its id is derived from the creator and a label, so nobody can squat another's id) and registers the group
/// key each DKG produces under the next key id. A certificate (229 bytes, src/crypto/certificate.ts):
///
///   version (1) ‖ receiptDigest (32) ‖ committeeId (32) ‖ keyId (4, big-endian) ‖ signers (32) ‖ signature (128, G1)
///
/// is valid when the signers bitmap names at least `threshold` of the `size` members and the BLS signature on
///   m = keccak256(0x19 ‖ 0x48 ‖ 25 ‖ "hyperspace/v1/certificate" ‖ certificate[0:101])
/// verifies under the registered group key. The check costs the same for any committee size: one pairing check
/// of two pairs, two maps to G1, and one storage read (the key itself travels in calldata and is matched against
/// a 224-bit hash stored beside threshold and size in one slot).
contract CommitteeRegistry is ICommitteeRegistry {
    uint256 internal constant CERTIFICATE_BYTES = 229;
    uint8 internal constant CERTIFICATE_VERSION = 1;
    uint256 internal constant SIGNED_BYTES = 101;
    uint256 internal constant MAX_MEMBERS = 256;
    /// 0x19 ‖ 0x48 ‖ len (25) ‖ "hyperspace/v1/certificate": the domain prefix of src/crypto/domains.ts, 28 bytes left-aligned.
    bytes32 internal constant CERTIFICATE_DOMAIN_WORD = "\x19\x48\x19hyperspace/v1/certificate";

    /// committee id → its creator (the community server that runs its DKGs).
    mapping(bytes32 => address) public override committeeOwner;
    /// committee id → number of keys registered so far (key ids are 1..keyCount).
    mapping(bytes32 => uint32) public override keyCount;
    /// committee id → key id → bytes28(keccak256(groupKey)) ‖ uint16 threshold ‖ uint16 size (one slot).
    mapping(bytes32 => mapping(uint32 => bytes32)) internal keyWord;
    /// committee id → key id → the group key itself (read by clients, never by the certificate check).
    mapping(bytes32 => mapping(uint32 => bytes)) internal keyBytes;

    /// Creates the committee keccak256(abi.encode(msg.sender, label)) owned by the caller.
    function createCommittee(bytes32 label) external returns (bytes32 committeeId) {
        committeeId = keccak256(abi.encode(msg.sender, label));
        if (committeeOwner[committeeId] != address(0)) revert CommitteeExists(committeeId);
        committeeOwner[committeeId] = msg.sender;
        emit CommitteeCreated(committeeId, msg.sender, label);
    }

    /// Registers a DKG's group key (256-byte EIP-2537 G2 point, checked on the curve and in the subgroup) under the
    /// next key id. Keys are never replaced: a reshare that changes the key, or a fresh DKG, adds a key id.
    function registerGroupKey(bytes32 committeeId, bytes calldata groupKey, uint16 threshold, uint16 size) external returns (uint32 keyId) {
        if (committeeOwner[committeeId] != msg.sender) revert NotCommitteeOwner(committeeId, msg.sender);
        if (threshold == 0 || threshold > size || size > MAX_MEMBERS) revert BadThreshold(threshold, size);
        checkPointShape(groupKey, BLS12381.G2_BYTES);
        BLS12381.checkG2(groupKey);
        keyId = ++keyCount[committeeId];
        keyWord[committeeId][keyId] = packKeyWord(groupKey, threshold, size);
        keyBytes[committeeId][keyId] = groupKey;
        emit GroupKeyRegistered(committeeId, keyId, groupKey, threshold, size);
    }

    /// The registered key, its threshold and size; reverts UnknownGroupKey.
    function groupKeyOf(bytes32 committeeId, uint32 keyId) external view returns (bytes memory groupKey, uint16 threshold, uint16 size) {
        bytes32 word = keyWord[committeeId][keyId];
        if (word == 0) revert UnknownGroupKey(committeeId, keyId);
        return (keyBytes[committeeId][keyId], uint16(uint256(word) >> 16), uint16(uint256(word)));
    }

    /// True when `certificate` is valid under the registered key `groupKey` (passed in calldata, matched against the
    /// stored hash). Malformed input reverts with a typed error; a well-formed certificate whose signature does not
    /// verify returns false. Gas does not depend on the committee size.
    function verifyCertificate(bytes calldata certificate, bytes calldata groupKey) external view returns (bool) {
        checkCertificateFields(certificate, groupKey);
        bytes calldata signature = certificate[SIGNED_BYTES:CERTIFICATE_BYTES];
        checkPointShape(signature, BLS12381.G1_BYTES);
        return BLS12381.verify(certificateMessage(certificate), signature, groupKey);
    }

    /// Everything but the signature: length, version, a registered key equal to `groupKey`, signers ⊆ 1..size, ≥ threshold.
    function checkCertificateFields(bytes calldata certificate, bytes calldata groupKey) internal view {
        if (certificate.length != CERTIFICATE_BYTES) revert BadCertificateLength(certificate.length);
        if (uint8(certificate[0]) != CERTIFICATE_VERSION) revert BadCertificateVersion(uint8(certificate[0]));
        bytes32 committeeId = bytes32(certificate[33:65]);
        uint32 keyId = uint32(bytes4(certificate[65:69]));
        uint256 signers = uint256(bytes32(certificate[69:101]));
        bytes32 word = keyWord[committeeId][keyId];
        if (word == 0) revert UnknownGroupKey(committeeId, keyId);
        uint16 size = uint16(uint256(word));
        uint16 threshold = uint16(uint256(word) >> 16);
        if (groupKey.length != BLS12381.G2_BYTES || packKeyWord(groupKey, threshold, size) != word) revert WrongGroupKey(committeeId, keyId);
        if (size < MAX_MEMBERS && signers >> size != 0) revert SignersOutOfRange(signers, size);
        uint256 count = popcount(signers);
        if (count < threshold) revert TooFewSigners(count, threshold);
    }

    /// m: the 32 bytes the committee signs for a certificate (before hashing to G1).
    function certificateMessage(bytes calldata certificate) public pure returns (bytes32) {
        if (certificate.length < SIGNED_BYTES) revert BadCertificateLength(certificate.length);
        bytes32 m;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, CERTIFICATE_DOMAIN_WORD)
            calldatacopy(add(p, 28), certificate.offset, 101)
            m := keccak256(p, 129)
        }
        return m;
    }

    /// RFC 9380 hash to G1 under Hyperspace's DST (exposed for the golden vectors shared with the TypeScript).
    function hashToG1(bytes calldata message) external view returns (bytes memory) {
        return BLS12381.hashToG1(message);
    }

    function packKeyWord(bytes calldata groupKey, uint16 threshold, uint16 size) internal pure returns (bytes32) {
        return bytes32((uint256(keccak256(groupKey)) >> 32 << 32) | (uint256(threshold) << 16) | uint256(size));
    }

    function checkPointShape(bytes calldata point, uint256 expected) internal pure {
        if (point.length != expected) revert BadPointLength(point.length, expected);
        if (!BLS12381.hasCleanPadding(point)) revert BadPointPadding();
        if (BLS12381.isInfinity(point)) revert PointAtInfinity();
    }

    /// Number of set bits (SWAR over 256 bits).
    function popcount(uint256 x) internal pure returns (uint256) {
        unchecked {
            x = x - ((x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            return (x * 0x0101010101010101010101010101010101010101010101010101010101010101) >> 248;
        }
    }
}
