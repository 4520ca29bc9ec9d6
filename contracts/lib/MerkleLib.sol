// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title MerkleLib — the binary keccak tree of docs/commitment.md §1 (traces, partial sums, weights)
/// @notice Inner node = keccak256(left ‖ right); leaves are used as nodes as is; the depth is ALWAYS fixed by the
/// caller from the committed size, never taken from the proof (docs/commitment.md "Why leaves are not hashed").
library MerkleLib {
    /// Root from `leaf` at `index` and its bottom-up siblings; false unless siblings.length == depth and index < 2^depth.
    function verify(bytes32 root, uint256 depth, uint256 index, bytes32 leaf, bytes32[] calldata sib) internal pure returns (bool) {
        if (sib.length != depth || index >> depth != 0) return false;
        bytes32 node = leaf;
        for (uint256 h = 0; h < depth; ++h) {
            node = (index >> h) & 1 == 0 ? hashPair(node, sib[h]) : hashPair(sib[h], node);
        }
        return node == root;
    }

    /// Like `verify`, with the siblings packed back to back in `sib` (32·depth bytes, bottom-up): no ABI array
    /// overhead in calldata (docs/dispute.md §3 packed proofs).
    function verifyPacked(bytes32 root, uint256 depth, uint256 index, bytes32 leaf, bytes calldata sib) internal pure returns (bool) {
        if (sib.length != 32 * depth || index >> depth != 0) return false;
        bytes32 node = leaf;
        for (uint256 h = 0; h < depth; ++h) {
            bytes32 s;
            assembly ("memory-safe") {
                s := calldataload(add(sib.offset, shl(5, h)))
            }
            node = (index >> h) & 1 == 0 ? hashPair(node, s) : hashPair(s, node);
        }
        return node == root;
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            r := keccak256(0x00, 0x40)
        }
    }

    /// Recombines 2^s consecutive nodes of one level into their ancestor s levels up (children.length must be a power of two).
    function combine(bytes32[] calldata children) internal pure returns (bytes32) {
        uint256 n = children.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) level[i] = children[i];
        while (n > 1) {
            for (uint256 i = 0; i < n / 2; ++i) level[i] = hashPair(level[2 * i], level[2 * i + 1]);
            n /= 2;
        }
        return level[0];
    }

    /// Element `slot` (0..7) of a trace leaf: big-endian two's-complement int32 in bytes [4·slot, 4·slot + 4).
    function traceWord(bytes32 leaf, uint256 slot) internal pure returns (int256) {
        return int256(int32(uint32(uint256(leaf) >> (224 - 32 * slot))));
    }

    /// Weight byte `offset mod 32` of a weights leaf as int8.
    function weightI8(bytes32 leaf, uint256 offset) internal pure returns (int256) {
        return int256(int8(uint8(leaf[offset % 32])));
    }

    /// Little-endian int32 at byte `offset mod 32` of a weights leaf (offset 4-aligned: never crosses a leaf).
    function weightI32(bytes32 leaf, uint256 offset) internal pure returns (int256) {
        uint256 o = offset % 32;
        uint32 v = uint32(uint8(leaf[o])) | (uint32(uint8(leaf[o + 1])) << 8) | (uint32(uint8(leaf[o + 2])) << 16) | (uint32(uint8(leaf[o + 3])) << 24);
        return int256(int32(v));
    }

    /// ceil(log2(max(1, ceil(elements / 8)))): depth of a trace or partial-sums tree of `elements` int32 values.
    function traceDepth(uint256 elements) internal pure returns (uint256 d) {
        uint256 leaves = elements == 0 ? 1 : (elements + 7) / 8;
        while ((uint256(1) << d) < leaves) ++d;
    }

    /// Depth of a weights tree of `byteLength` bytes (32 per leaf).
    function weightsDepth(uint256 byteLength) internal pure returns (uint256 d) {
        uint256 leaves = byteLength == 0 ? 1 : (byteLength + 31) / 32;
        while ((uint256(1) << d) < leaves) ++d;
    }
}
