// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BLS12381 — hash to G1 and the signature pairing check over the EIP-2537 precompiles (Prague)
/// @notice Whitepaper §2.2.1; docs/threshold.md §2; docs/decisions/0003. Signatures and hashed messages are
/// G1 points (128 bytes), keys G2 points (256 bytes), both in EIP-2537's encoding (each Fp element 64 bytes:
/// 16 zero bytes then 48 big-endian). hashToG1 is RFC 9380's BLS12381G1_XMD:SHA-256_SSWU_RO_ under the DST of
/// src/crypto/bls/hash-to-g1.ts: expand_message_xmd with SHA-256 (precompile 0x02), the two 64-byte chunks
/// reduced mod p by MODEXP (0x05), each mapped by MAP_FP_TO_G1 (0x10, which also clears the cofactor), summed
/// by G1ADD (0x0b). The golden vectors in test/vectors/threshold.json hold this and the TypeScript to one answer.
/// Written in assembly over one scratch area: the certificate check is gas-bound (docs/decisions/0003), and the
/// high-level version spent ~10k gas on copies and allocations around ~118k of precompile work.
library BLS12381 {
    address internal constant G1ADD = address(0x0b);
    address internal constant G2MSM = address(0x0e);
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP_TO_G1 = address(0x10);
    address internal constant MODEXP = address(0x05);
    address internal constant SHA256 = address(0x02);

    uint256 internal constant G1_BYTES = 128;
    uint256 internal constant G2_BYTES = 256;

    /// DST_prime = "HYPERSPACE-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_" ‖ 0x38 (57 bytes), as two words.
    uint256 internal constant DST_PRIME_0 = 0x485950455253504143452d5630312d435330312d776974682d424c5331323338;
    uint256 internal constant DST_PRIME_1 = 0x3147315f584d443a5348412d3235365f535357555f524f5f3800000000000000;
    uint256 internal constant DST_PRIME_BYTES = 57;

    /// p as a 64-byte big-endian word pair (MODEXP's modulus; 16 leading zero bytes).
    uint256 internal constant P_HI = 0x000000000000000000000000000000001a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// −g2 (the negated G2 generator), EIP-2537, as eight words: e(σ, g2) = e(H, PK) is checked as one product = 1.
    uint256 internal constant NEG_G2_0 = 0x00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051;
    uint256 internal constant NEG_G2_1 = 0xc6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8;
    uint256 internal constant NEG_G2_2 = 0x0000000000000000000000000000000013e02b6052719f607dacd3a088274f65;
    uint256 internal constant NEG_G2_3 = 0x596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e;
    uint256 internal constant NEG_G2_4 = 0x000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bc;
    uint256 internal constant NEG_G2_5 = 0xb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa;
    uint256 internal constant NEG_G2_6 = 0x0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d;
    uint256 internal constant NEG_G2_7 = 0x993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed;

    /// A precompile refused its input (non-canonical field element, point off the curve or outside the subgroup).
    error InvalidPoint(address precompile);

    /// H(message) ∈ G1, 128 bytes EIP-2537.
    function hashToG1(bytes memory message) internal view returns (bytes memory point) {
        point = new bytes(G1_BYTES);
        uint256 out;
        assembly ("memory-safe") {
            out := add(point, 0x20)
        }
        hashToG1Into(message, out);
    }

    /// Writes H(message) (128 bytes) at memory `out`. Uses memory from the free pointer on as scratch.
    function hashToG1Into(bytes memory message, uint256 out) internal view {
        address failed;
        assembly ("memory-safe") {
            let len := mload(message)
            let f := mload(0x40)
            // Scratch layout: f: SHA-256 input (≤ 64 + len + 60 bytes); m0, m1: two MODEXP inputs (0xe1 bytes each,
            // the expand_message_xmd blocks b1‖b2 and b3‖b4 written straight into their base slots); q: two mapped points.
            let m0 := add(f, and(add(len, 0x9f), not(31)))
            let m1 := add(m0, 0x100)
            let q := add(m1, 0x100)
            // b0 = H(Z_pad(64) ‖ msg ‖ I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ DST_prime)
            mstore(f, 0)
            mstore(add(f, 0x20), 0)
            mcopy(add(f, 0x40), add(message, 0x20), len)
            let p := add(add(f, 0x40), len)
            mstore(p, shl(232, 0x008000))
            mstore(add(p, 3), DST_PRIME_0)
            mstore(add(p, 35), DST_PRIME_1)
            if iszero(staticcall(gas(), 0x02, f, add(add(0x40, len), add(3, DST_PRIME_BYTES)), 0x00, 0x20)) { failed := 0x02 }
            let b0 := mload(0x00)
            // b_i = H((b0 xor b_{i−1}) ‖ I2OSP(i, 1) ‖ DST_prime), b_0 xor "b_0" = 0 for i = 1 is b0 itself
            let prev := 0
            for { let i := 1 } lt(i, 5) { i := add(i, 1) } {
                mstore(f, xor(b0, prev))
                mstore8(add(f, 0x20), i)
                mstore(add(f, 0x21), DST_PRIME_0)
                mstore(add(f, 0x41), DST_PRIME_1)
                // b1, b2 → m0's base; b3, b4 → m1's base
                let dest := add(add(add(m0, mul(gt(i, 2), 0x100)), 0x60), mul(iszero(and(i, 1)), 0x20))
                if iszero(staticcall(gas(), 0x02, f, add(0x21, DST_PRIME_BYTES), dest, 0x20)) { failed := 0x02 }
                prev := mload(dest)
            }
            // u_j = (b_{2j+1} ‖ b_{2j+2}) mod p via MODEXP(base 64 bytes, exponent 1, modulus p in 64 bytes)
            for { let j := 0 } lt(j, 2) { j := add(j, 1) } {
                let m := add(m0, mul(j, 0x100))
                mstore(m, 64)
                mstore(add(m, 0x20), 1)
                mstore(add(m, 0x40), 64)
                mstore8(add(m, 0xa0), 1)
                mstore(add(m, 0xa1), P_HI)
                mstore(add(m, 0xc1), P_LO)
                if iszero(staticcall(gas(), 0x05, m, 0xe1, m, 64)) { failed := 0x05 }
                if iszero(staticcall(gas(), 0x10, m, 64, add(q, mul(j, 128)), 128)) { failed := 0x10 }
            }
            if iszero(staticcall(gas(), 0x0b, q, 256, out, 128)) { failed := 0x0b }
        }
        if (failed != address(0)) revert InvalidPoint(failed);
    }

    /// e(signature, g2) == e(H(message), publicKey) for a 32-byte message. Reverts InvalidPoint when a precompile
    /// refuses an input (the pairing checks both subgroups); a well-formed signature that does not verify returns false.
    function verify(bytes32 message, bytes calldata signature, bytes calldata publicKey) internal view returns (bool holds) {
        bytes memory m = abi.encodePacked(message);
        uint256 input;
        assembly ("memory-safe") {
            input := mload(0x40)
            mstore(0x40, add(input, 768))
            calldatacopy(input, signature.offset, 128)
            mstore(add(input, 0x080), NEG_G2_0)
            mstore(add(input, 0x0a0), NEG_G2_1)
            mstore(add(input, 0x0c0), NEG_G2_2)
            mstore(add(input, 0x0e0), NEG_G2_3)
            mstore(add(input, 0x100), NEG_G2_4)
            mstore(add(input, 0x120), NEG_G2_5)
            mstore(add(input, 0x140), NEG_G2_6)
            mstore(add(input, 0x160), NEG_G2_7)
            calldatacopy(add(input, 0x200), publicKey.offset, 256)
        }
        hashToG1Into(m, input + 0x180);
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x0f, input, 768, 0x00, 0x20)
            holds := eq(mload(0x00), 1)
        }
        if (!ok) revert InvalidPoint(PAIRING_CHECK);
    }

    /// Reverts InvalidPoint unless `point` is a valid G2 point in the r-order subgroup (G2MSM with scalar 1 checks it).
    function checkG2(bytes calldata point) internal view {
        bool ok;
        assembly ("memory-safe") {
            let input := mload(0x40)
            calldatacopy(input, point.offset, 256)
            mstore(add(input, 256), 1)
            ok := staticcall(gas(), 0x0e, input, 288, input, 256)
        }
        if (!ok) revert InvalidPoint(G2MSM);
    }

    /// True when every 64-byte field element of an encoded point starts with 16 zero bytes (EIP-2537 padding).
    function hasCleanPadding(bytes calldata point) internal pure returns (bool clean) {
        assembly ("memory-safe") {
            let bad := 0
            for { let off := 0 } lt(off, point.length) { off := add(off, 64) } {
                bad := or(bad, shr(128, calldataload(add(point.offset, off))))
            }
            clean := iszero(bad)
        }
    }

    /// True when every byte is zero: the point at infinity.
    function isInfinity(bytes calldata point) internal pure returns (bool zero) {
        assembly ("memory-safe") {
            let any := 0
            for { let off := 0 } lt(off, point.length) { off := add(off, 32) } {
                any := or(any, calldataload(add(point.offset, off)))
            }
            zero := iszero(any)
        }
    }
}
