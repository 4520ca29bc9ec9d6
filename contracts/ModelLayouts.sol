// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleLib} from "./lib/MerkleLib.sol";

/// @title ModelLayouts — the per-model graph layout the one-step verifier derives element descriptions from
/// (whitepaper §2.2.5; docs/spec/engine.md §4–5; docs/dispute.md §3). Registered once per model by anyone, from the
/// model file's node table: the contract recomputes nodesRoot (node i = leaves 2i, 2i+1 of the binary keccak tree),
/// graphHash = keccak(metaHash ‖ nodesRoot) and modelHash = keccak(graphHash ‖ weightsRoot), so nothing stored can
/// disagree with the model hash the receipts sign. It keeps each node record (with its trace offset in the reserved
/// word), the elements per step, the weights tree depth and the context length — all DERIVED from the table:
///   - offset[n] = Σ_{m<n} size(m), stepElements = Σ size;
///   - weights depth from the end of the last weight tensor (engine.md §3 tensor shapes), padded to 32-byte leaves;
///     a model whose blob is longer than its tensors need (to another depth) cannot be disputed (its honest proofs
///     would not verify), which is why the depth is never taken from a caller;
///   - classify iff the graph has a `vector` source (engine.md: vector requires task classify);
///   - from the metadata bytes themselves (canonical JSON, engine.md §4.1; keccak = metaHash): `contextLength`,
///     `outputNode` (every token source's p1 must name it; generate: size 1) and the `<eos>` token id (its index in
///     `vocab`), which the stop rule and the output check need (docs/dispute.md §2 "stop rule", "output check").
contract ModelLayouts {
    struct Layout {
        uint32 nodeCount;
        uint32 contextLength;
        uint8 weightsDepth;
        bool classify;
        uint64 stepElements;
        uint32 eosId; // index of "<eos>" in meta.vocab; NO_EOS when the vocabulary has none (classify)
        uint32 outputNode; // meta.outputNode (read from the metadata; every token source's p1 must name it)
        uint32 outputSize; // size of the output node: the output's int32 count (classify) or 1 (generate)
        bytes32 weightsRoot;
    }

    /// eosId of a model without `<eos>`: no token ever equals it.
    uint32 public constant NO_EOS = type(uint32).max;
    /// Longest metadata scanned at registration (engine.md §4.3 allows 4 MiB; calldata and the scan cost ~60 gas/byte).
    uint256 public constant MAX_META = 1 << 20;

    /// Most nodes a table registered on chain may have (gas: ~45k per node, once per model).
    uint256 public constant MAX_NODES = 4096;
    /// engine.md §4.1: contextLength ≤ 4096.
    uint32 internal constant MAX_CONTEXT = 4096;

    mapping(bytes32 => Layout) internal layouts;
    /// model → 2n: head word (op, a, b, c, size, w0, w1, offset) · 2n+1: params word (p0..p7); 8 int32 each, big-endian packed.
    mapping(bytes32 => mapping(uint256 => uint256)) internal records;
    /// model → n: the trace offset (within a step) and size of n's inputs a, b, c, derived at registration so the one
    /// step reads one slot instead of each input's record: (offA, sizeA, offB, sizeB, offC, sizeC) as uint32 from the
    /// top, 0 for an absent input.
    mapping(bytes32 => mapping(uint256 => uint256)) internal inputs;

    error BadNodeTable(uint256 length);
    error LayoutExists(bytes32 modelHash);
    error NoLayout(bytes32 modelHash);
    error BadNode(uint256 node, uint256 reason);
    error BadMetadata(uint256 at);
    error BadSteps(uint256 steps, uint256 contextLength);

    event LayoutRegistered(bytes32 indexed modelHash, bytes32 graphHash, uint256 nodeCount, uint256 stepElements, uint256 weightsDepth, uint256 contextLength, bool classify, uint256 eosId, uint256 outputNode);

    /// Registers the layout of the model with metadata `metadata` (the file's canonical JSON bytes, without the zero
    /// padding), weights root `weightsRoot` and node table `table` (64·N bytes, 16 little-endian int32 words per node,
    /// as in the file).
    function registerLayout(bytes calldata metadata, bytes32 weightsRoot, bytes calldata table) external returns (bytes32 modelHash) {
        uint256 n = table.length / 64;
        if (table.length % 64 != 0 || n == 0 || n > MAX_NODES) revert BadNodeTable(table.length);
        if (metadata.length == 0 || metadata.length > MAX_META) revert BadMetadata(metadata.length);
        bytes32 graphHash = keccak256(abi.encodePacked(keccak256(metadata), _nodesRoot(table)));
        modelHash = keccak256(abi.encodePacked(graphHash, weightsRoot));
        Layout storage L = layouts[modelHash];
        if (L.nodeCount != 0) revert LayoutExists(modelHash);
        (uint256 ctx, uint256 eos, uint256 outNode) = _scanMeta(metadata);
        Acc memory acc;
        acc.metaCtx = ctx; // a rope node's table spans contextLength rows
        for (uint256 i = 0; i < n; ++i) _storeNode(modelHash, table, i, acc);
        uint256 offset = acc.offset;
        bool classify = acc.classify;
        if (offset > type(uint32).max) revert BadNodeTable(table.length);
        if (ctx == 0 || ctx > MAX_CONTEXT || (acc.ctx != 0 && acc.ctx != ctx)) revert BadMetadata(0);
        // meta.outputNode names a node; a token source feeds back exactly that node (the loader checks every token p1)
        if (outNode >= n || (acc.hasToken && acc.outputNode != outNode)) revert BadMetadata(1);
        L.eosId = uint32(eos);
        L.outputNode = uint32(outNode);
        L.outputSize = uint32(uint256(word(records[modelHash][2 * outNode], 4)));
        if (!classify && L.outputSize != 1) revert BadMetadata(2);
        L.nodeCount = uint32(n);
        L.contextLength = uint32(ctx);
        L.weightsDepth = uint8(MerkleLib.weightsDepth(acc.extent));
        L.classify = classify;
        L.stepElements = uint64(offset);
        L.weightsRoot = weightsRoot;
        emit LayoutRegistered(modelHash, graphHash, n, offset, L.weightsDepth, ctx, classify, eos, outNode);
    }

    /// Reads the metadata fields the game needs from canonical JSON (sorted keys, no whitespace, engine.md §4.1):
    /// the top-level `contextLength` (a decimal number; 0 if absent), `outputNode` (a decimal number; NO_EOS if
    /// absent, refused by the caller) and the index of the string "<eos>" in the top-level `vocab` array, or the
    /// top-level `eosId` of a language model (NO_EOS if neither). One pass tracking string/escape state and nesting depth, so a
    /// key-like text inside a string (`\"vocab\":[`, escaped) or in a nested object is never taken for the field:
    /// an unescaped `"vocab":[` at depth 1 can only be the top-level key. `<` and `>` are not escaped by the
    /// canonical encoder (JSON.stringify), and the tokenizer refuses duplicate entries, so the first match is the id.
    function _scanMeta(bytes calldata m) private pure returns (uint256 ctx, uint256 eos, uint256 outNode) {
        eos = NO_EOS;
        outNode = NO_EOS;
        uint256 depth;
        uint256 item; // index of the current vocab element
        bool inVocab;
        uint256 n = m.length;
        for (uint256 i = 0; i < n; ++i) {
            bytes1 ch = m[i];
            if (ch == '"') {
                if (depth == 1 && _at(m, i, '"vocab":[')) {
                    inVocab = true;
                    item = 0;
                    depth = 2;
                    i += 8; // on the '['
                    continue;
                }
                if (depth == 1 && _at(m, i, '"contextLength":')) {
                    uint256 j = i + 16;
                    while (j < n && m[j] >= '0' && m[j] <= '9' && ctx <= MAX_CONTEXT) ctx = ctx * 10 + uint8(m[j++]) - 48;
                    i = j - 1;
                    continue;
                }
                if (depth == 1 && _at(m, i, '"eosId":')) {
                    // a language model's stop token (engine.md §4.1; its tokenizer lives in the weights blob)
                    uint256 j = i + 8;
                    uint256 v;
                    while (j < n && m[j] >= '0' && m[j] <= '9' && v <= 1 << 32) v = v * 10 + uint8(m[j++]) - 48;
                    if (j == i + 8 || v >= NO_EOS) revert BadMetadata(j);
                    eos = v;
                    i = j - 1;
                    continue;
                }
                if (depth == 1 && _at(m, i, '"outputNode":')) {
                    uint256 j = i + 13;
                    uint256 v;
                    while (j < n && m[j] >= '0' && m[j] <= '9' && v <= MAX_NODES) v = v * 10 + uint8(m[j++]) - 48;
                    if (j == i + 13) revert BadMetadata(j);
                    outNode = v;
                    i = j - 1;
                    continue;
                }
                if (inVocab && depth == 2 && eos == NO_EOS && _at(m, i, '"<eos>"') && i + 7 < n && (m[i + 7] == ',' || m[i + 7] == ']')) eos = item;
                // skip the string: up to the next unescaped quote
                ++i;
                while (i < n && m[i] != '"') i += m[i] == '\\' ? 2 : 1;
                if (i >= n) revert BadMetadata(i);
            } else if (ch == '{' || ch == '[') ++depth;
            else if (ch == '}' || ch == ']') {
                if (depth == 0) revert BadMetadata(i);
                --depth;
                if (depth == 1) inVocab = false;
            } else if (ch == ',' && inVocab && depth == 2) ++item;
        }
    }

    /// True when `m` has the bytes of `s` at offset `at`.
    function _at(bytes calldata m, uint256 at, bytes memory s) private pure returns (bool) {
        if (at + s.length > m.length) return false;
        for (uint256 k = 0; k < s.length; ++k) if (m[at + k] != s[k]) return false;
        return true;
    }

    struct Acc {
        uint256 offset; // Σ sizes so far
        uint256 extent; // end of the weight tensors so far
        uint256 ctx; // context length seen on an attention node (must agree with the metadata's)
        uint256 metaCtx; // the metadata's contextLength
        uint256 outputNode; // p1 of a token source
        bool hasToken;
        bool classify;
    }

    function _storeNode(bytes32 modelHash, bytes calldata table, uint256 i, Acc memory acc) private {
        int256[16] memory w;
        for (uint256 k = 0; k < 16; ++k) w[k] = _le32(table, 64 * i + 4 * k);
        // structural minimum the derivations rely on (the engine's loader checks the rest)
        if (w[4] < 1 || w[4] > 1 << 24) revert BadNode(i, 4);
        for (uint256 k = 1; k < 4; ++k) if (w[k] < -1 || w[k] >= int256(i)) revert BadNode(i, k);
        uint256 size = uint256(w[4]);
        if (w[0] == 2) acc.classify = true;
        if (w[0] == 1) {
            if (w[8] < 0 || (acc.hasToken && acc.outputNode != uint256(w[8]))) revert BadNode(i, 8);
            acc.outputNode = uint256(w[8]);
            acc.hasToken = true;
        }
        if (w[0] == 20 && w[7] > 0) acc.ctx = size / uint256(w[7]);
        uint256 e = _tensorEnd(table, w, size, acc.metaCtx);
        if (e > acc.extent) acc.extent = e;
        uint256 head;
        for (uint256 k = 0; k < 7; ++k) head = (head << 32) | uint32(int32(w[k]));
        head = (head << 32) | uint32(acc.offset);
        uint256 params;
        for (uint256 k = 7; k < 15; ++k) params = (params << 32) | uint32(int32(w[k]));
        records[modelHash][2 * i] = head;
        records[modelHash][2 * i + 1] = params;
        uint256 ins;
        for (uint256 k = 1; k < 4; ++k) {
            ins <<= 64;
            if (w[k] >= 0) {
                uint256 h = records[modelHash][2 * uint256(w[k])]; // an earlier node (checked above)
                ins |= (uint256(uint32(h)) << 32) | uint32(uint256(word(h, 4)));
            }
        }
        if (ins != 0) inputs[modelHash][i] = ins << 64;
        acc.offset += size;
    }

    /// Trace index of the element the engine outputs as token / value `j` (engine.md §5.1): generate → the output
    /// node's element at step P − 1 + j (the token chosen there); classify → the output node's element j (one step).
    function outputElement(bytes32 modelHash, uint256 promptLength, uint256 j) public view returns (uint256) {
        Layout storage L = layouts[modelHash];
        if (L.nodeCount == 0) revert NoLayout(modelHash);
        uint256 off = uint32(records[modelHash][2 * uint256(L.outputNode)]);
        if (L.classify) return off + j;
        return (promptLength - 1 + j) * L.stepElements + off;
    }

    /// Trace lengths (elements) that A's and B's outputs claim (engine.md §5.1; `outputB` empty = A's), and the step
    /// size. A length is 0 when no honest run can give that output: classify → not exactly outputSize int32s (one
    /// step); generate → not whole int32s, no token, more than maxTokens, or (P − 1 + generated) steps past the
    /// context. Reverts BadSteps for a generate prompt length no run can have (0 or over the context).
    function traceLengths(bytes32 modelHash, uint256 promptLength, uint256 maxTokens, bytes calldata outputA, bytes calldata outputB) external view returns (uint256 ea, uint256 eb, uint256 stepElements) {
        Layout memory L = layoutOf(modelHash);
        if (!L.classify && (promptLength == 0 || promptLength > L.contextLength)) revert BadSteps(promptLength, L.contextLength);
        ea = _length(L, promptLength, maxTokens, outputA);
        eb = outputB.length == 0 ? ea : _length(L, promptLength, maxTokens, outputB);
        stepElements = L.stepElements;
    }

    function _length(Layout memory L, uint256 promptLength, uint256 maxTokens, bytes calldata output) private pure returns (uint256) {
        if (L.classify) return output.length == 4 * uint256(L.outputSize) ? L.stepElements : 0; // the output node's elements
        uint256 generated = output.length / 4;
        if (output.length % 4 != 0 || generated == 0 || generated > maxTokens) return 0;
        uint256 steps = promptLength - 1 + generated;
        if (steps > L.contextLength) return 0;
        return steps * L.stepElements;
    }

    function layoutOf(bytes32 modelHash) public view returns (Layout memory L) {
        L = layouts[modelHash];
        if (L.nodeCount == 0) revert NoLayout(modelHash);
    }

    /// The stored words of node `n`: head (op, a, b, c, size, w0, w1, offset) and params p0..p7.
    function nodeOf(bytes32 modelHash, uint256 n) external view returns (int256[8] memory head, int256[8] memory params) {
        uint256 h = records[modelHash][2 * n];
        uint256 p = records[modelHash][2 * n + 1];
        for (uint256 k = 0; k < 8; ++k) {
            head[k] = word(h, k);
            params[k] = word(p, k);
        }
    }

    /// Word k (0..7) of a packed record word, as a signed int32.
    function word(uint256 packed, uint256 k) internal pure returns (int256) {
        return int256(int32(uint32(packed >> (224 - 32 * k))));
    }

    /// Little-endian int32 at byte `at` of the table.
    function _le32(bytes calldata t, uint256 at) private pure returns (int256) {
        uint32 v = uint32(uint8(t[at])) | (uint32(uint8(t[at + 1])) << 8) | (uint32(uint8(t[at + 2])) << 16) | (uint32(uint8(t[at + 3])) << 24);
        return int256(int32(v));
    }

    /// End (exclusive byte offset) of the weight tensors node i reads (engine.md §3 shapes); 0 without weights.
    function _tensorEnd(bytes calldata t, int256[16] memory w, uint256 size, uint256 ctx) private pure returns (uint256 end) {
        uint256 op = uint256(w[0]);
        int256 w0 = w[5];
        int256 w1 = w[6];
        uint256 b0; // bytes of the w0 tensor
        uint256 b1;
        if (op == 10) {
            uint256 cols = uint256(_le32(t, 64 * uint256(w[1]) + 16)); // size(a)
            b0 = size * cols;
            b1 = 4 * size;
        } else if (op == 12) b0 = uint256(w[7]) * size; // gather: p0 rows
        else if (op == 40) b0 = 4 * size; // requant multipliers
        else if (op == 42) b0 = 1024; // lut: 256 int32
        else if (op == 46) b0 = uint256(w[11]); // muldiv gain: p4 bytes
        else if (op == 50 && w[7] > 0) b0 = 8 * ctx * uint256(w[7]); // rope table: (C, p0, 2) int32
        if (w0 >= 0 && uint256(w0) + b0 > end) end = uint256(w0) + b0;
        if (w1 >= 0 && uint256(w1) + b1 > end) end = uint256(w1) + b1;
    }

    /// merkleRoot of the table as 2N 32-byte leaves, zero-padded to a power of two (engine.md §4.2).
    function _nodesRoot(bytes calldata t) private pure returns (bytes32) {
        uint256 leaves = t.length / 32;
        uint256 width = 1;
        while (width < leaves) width <<= 1;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves; ++i) level[i] = bytes32(t[32 * i:32 * i + 32]);
        while (width > 1) {
            for (uint256 i = 0; i < width / 2; ++i) level[i] = MerkleLib.hashPair(level[2 * i], level[2 * i + 1]);
            width /= 2;
        }
        return level[0];
    }
}
