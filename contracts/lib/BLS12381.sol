// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BLS12381 — hash to G1 and the signature pairing check over the EIP-2537 precompiles (Prague)
/// @notice Whitepaper §2.2.1; docs/threshold.md §2; docs/decisions/0003. Signatures and hashed messages are
/// G1 points (128 bytes), keys G2 points (256 bytes), both in EIP-2537's encoding (each Fp element 64 bytes:
/// 16 zero bytes then 48 big-endian). hashToG1 is RFC 9380's BLS12381G1_XMD:SHA-256_SSWU_RO_ under the DST of
/// src/crypto/bls/hash-to-g1.ts: expand_message_xmd with SHA-256 (precompile 0x02), the two 64-byte chunks
/// reduced mod p by MODEXP (0x05), each mapped by MAP_FP_TO_G1 (0x10, which also clears the cofactor), summed
/// by G1ADD (0x0b). The golden vectors in test/vectors/threshold.json hold this and the TypeScript to one answer.
library BLS12381 {
    address internal constant G1ADD = address(0x0b);
    address internal constant G2MSM = address(0x0e);
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP_TO_G1 = address(0x10);
    address internal constant MODEXP = address(0x05);

    uint256 internal constant G1_BYTES = 128;
    uint256 internal constant G2_BYTES = 256;

    /// RFC 9380 §3.1 domain separation tag (56 bytes); DST_prime appends its length byte (0x38).
    bytes internal constant DST_PRIME = "HYPERSPACE-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_\x38";

    /// p, the base field modulus, as a 64-byte big-endian word pair (MODEXP's modulus; 16 leading zero bytes).
    uint256 internal constant P_HI = 0x000000000000000000000000000000001a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// −g2 (the negated G2 generator) in EIP-2537 encoding, so e(σ, g2) = e(H, PK) is checked as one product = 1.
    bytes internal constant NEG_G2 =
        hex"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        hex"0000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        hex"000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa"
        hex"0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed";

    /// A precompile refused its input (non-canonical field element, point off the curve or outside the subgroup).
    error InvalidPoint(address precompile);

    /// expand_message_xmd(msg, DST, 128) with SHA-256 (RFC 9380 §5.3.1): ell = 4 blocks of 32 bytes.
    function expandMessageXmd(bytes memory message) internal pure returns (bytes32[4] memory b) {
        bytes memory dstPrime = DST_PRIME;
        // msg_prime = Z_pad(64 zero bytes) ‖ msg ‖ I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ DST_prime
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, hex"008000", dstPrime));
        b[0] = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        for (uint8 i = 1; i < 4; ++i) {
            b[i] = sha256(abi.encodePacked(b0 ^ b[i - 1], uint8(i + 1), dstPrime));
        }
    }

    /// H(message) ∈ G1, 128 bytes EIP-2537.
    function hashToG1(bytes memory message) internal view returns (bytes memory point) {
        bytes32[4] memory u = expandMessageXmd(message);
        bytes memory q0 = mapToG1(reduceModP(u[0], u[1]));
        bytes memory q1 = mapToG1(reduceModP(u[2], u[3]));
        point = new bytes(G1_BYTES);
        bool ok;
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, add(q0, 0x20), 128)
            mcopy(add(input, 128), add(q1, 0x20), 128)
            ok := staticcall(gas(), 0x0b, input, 256, add(point, 0x20), 128)
        }
        if (!ok) revert InvalidPoint(G1ADD);
    }

    /// The 64-byte big-endian integer hi ‖ lo mod p, as a 64-byte EIP-2537 field element (MODEXP with exponent 1).
    function reduceModP(bytes32 hi, bytes32 lo) internal view returns (bytes memory fp) {
        fp = new bytes(64);
        bool ok;
        assembly ("memory-safe") {
            let input := mload(0x40)
            mstore(input, 64) // base length
            mstore(add(input, 0x20), 1) // exponent length
            mstore(add(input, 0x40), 64) // modulus length
            mstore(add(input, 0x60), hi)
            mstore(add(input, 0x80), lo)
            mstore8(add(input, 0xa0), 1) // exponent
            mstore(add(input, 0xa1), P_HI)
            mstore(add(input, 0xc1), P_LO)
            ok := staticcall(gas(), 0x05, input, 0xe1, add(fp, 0x20), 64)
        }
        if (!ok) revert InvalidPoint(MODEXP);
    }

    function mapToG1(bytes memory fp) internal view returns (bytes memory point) {
        point = new bytes(G1_BYTES);
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x10, add(fp, 0x20), 64, add(point, 0x20), 128)
        }
        if (!ok) revert InvalidPoint(MAP_FP_TO_G1);
    }

    /// e(signature, g2) == e(hashed, publicKey). Reverts InvalidPoint when the precompile refuses an input
    /// (it checks both subgroups); a well-formed signature that does not verify returns false.
    function signatureHolds(bytes calldata signature, bytes memory hashed, bytes calldata publicKey) internal view returns (bool holds) {
        bytes memory input = abi.encodePacked(signature, NEG_G2, hashed, publicKey);
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x0f, add(input, 0x20), mload(input), 0x00, 0x20)
            result := mload(0x00)
        }
        if (!ok) revert InvalidPoint(PAIRING_CHECK);
        return result == 1;
    }

    /// Reverts InvalidPoint unless `point` is a valid G2 point in the r-order subgroup (G2MSM with scalar 1 checks it).
    function checkG2(bytes calldata point) internal view {
        bytes memory input = abi.encodePacked(point, uint256(1));
        bool ok;
        assembly ("memory-safe") {
            let out := mload(0x40)
            ok := staticcall(gas(), 0x0e, add(input, 0x20), mload(input), out, 256)
        }
        if (!ok) revert InvalidPoint(G2MSM);
    }

    /// True when every 64-byte field element of an encoded point starts with 16 zero bytes (EIP-2537 padding).
    function hasCleanPadding(bytes calldata point) internal pure returns (bool clean) {
        clean = true;
        for (uint256 off = 0; off < point.length; off += 64) {
            bytes16 pad = bytes16(point[off:off + 16]);
            if (pad != 0) return false;
        }
    }

    /// True when every byte is zero: the point at infinity.
    function isInfinity(bytes calldata point) internal pure returns (bool) {
        for (uint256 off = 0; off < point.length; off += 32) {
            if (bytes32(point[off:off + 32]) != 0) return false;
        }
        return true;
    }
}
