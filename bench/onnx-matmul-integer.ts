/**
 * A one-node ONNX model, `Y = MatMulInteger(A, B, a_zero_point)`, encoded by
 * hand as protobuf bytes (no onnx package here): the outside reference for the
 * int8 matrix-vector benchmark (bench/engine.ts; issue 4 "Benchmark").
 *
 *   A (1, K) uint8 input, a_zero_point = 128 (uint8 scalar initializer)
 *   B (K, N) int8 initializer (constant weights, so onnxruntime pre-packs them)
 *   Y (1, N) int32 = (A − 128) @ B
 *
 * With A = x + 128 and B = Wᵀ this is exactly our W (N, K) @ x (K): the uint8 ×
 * int8 with zero point 128 form is onnxruntime's fast path (its int8 × int8
 * path is 40–100× slower here, ANCHORS.md).
 */
import { concatBytes } from '../src/common/bytes.ts';

// ---- protobuf wire format: varint (0) and length-delimited (2) fields only ----

type Bytes = Uint8Array;

function varint(n: number): Bytes {
  const out: number[] = [];
  let v = n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Uint8Array.from(out);
}

function fieldVarint(field: number, value: number): Bytes {
  return concatBytes(varint((field << 3) | 0), varint(value));
}

function fieldBytes(field: number, ...parts: Bytes[]): Bytes {
  const body = concatBytes(...parts);
  return concatBytes(varint((field << 3) | 2), varint(body.length), body);
}

function fieldString(field: number, s: string): Bytes {
  return fieldBytes(field, new TextEncoder().encode(s));
}

// ---- ONNX messages (field numbers from onnx/onnx.proto) ----

const UINT8 = 2; // TensorProto.DataType
const INT8 = 3;
const INT32 = 6;

function tensor(name: string, dataType: number, dims: number[], raw: Bytes): Bytes {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9
  return concatBytes(...dims.map((d) => fieldVarint(1, d)), fieldVarint(2, dataType), fieldString(8, name), fieldBytes(9, raw));
}

function valueInfo(name: string, elemType: number, dims: number[]): Bytes {
  // ValueInfoProto { name = 1, type = 2 }; TypeProto { tensor_type = 1 };
  // TypeProto.Tensor { elem_type = 1, shape = 2 }; TensorShapeProto { dim = 1 }; Dimension { dim_value = 1 }
  const shape = concatBytes(...dims.map((d) => fieldBytes(1, fieldVarint(1, d))));
  const tensorType = concatBytes(fieldVarint(1, elemType), fieldBytes(2, shape));
  return concatBytes(fieldString(1, name), fieldBytes(2, fieldBytes(1, tensorType)));
}

/**
 * The model bytes for Y (1, N) int32 = (A (1, K) uint8 − 128) @ B (K, N) int8,
 * with `bKN` the int8 B in row-major (K, N) order.
 */
export function matMulIntegerModel(bKN: Int8Array, k: number, n: number): Uint8Array {
  if (bKN.length !== k * n) throw new RangeError(`B must have K*N = ${k * n} elements, got ${bKN.length}`);
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4
  const node = concatBytes(
    fieldString(1, 'A'),
    fieldString(1, 'B'),
    fieldString(1, 'a_zero_point'),
    fieldString(2, 'Y'),
    fieldString(3, 'matmul'),
    fieldString(4, 'MatMulInteger'),
  );
  const bRaw = new Uint8Array(bKN.buffer, bKN.byteOffset, bKN.byteLength);
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12
  const graph = concatBytes(
    fieldBytes(1, node),
    fieldString(2, 'matvec'),
    fieldBytes(5, tensor('B', INT8, [k, n], bRaw)),
    fieldBytes(5, tensor('a_zero_point', UINT8, [], Uint8Array.of(128))),
    fieldBytes(11, valueInfo('A', UINT8, [1, k])),
    fieldBytes(12, valueInfo('Y', INT32, [1, n])),
  );
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2)
  return concatBytes(
    fieldVarint(1, 8),
    fieldString(2, 'hyperspace-bench'),
    fieldBytes(7, graph),
    fieldBytes(8, fieldString(1, ''), fieldVarint(2, 13)),
  );
}
