/**
 * EIP-712 typed-data hashing (§2.2, §2.2.4; docs/spec/wire.md §8), written over our keccak so
 * the wire layer does not depend on viem at runtime; tests check every digest against viem's
 * `hashTypedData`.
 *
 *   digest     = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))
 *   hashStruct = keccak256(typeHash ‖ enc(field₁) ‖ … ‖ enc(fieldₙ))
 *   typeHash   = keccak256("Primary(type name,…)" ‖ referenced struct types sorted by name)
 *
 * Field encodings (32 bytes each): uintN / intN big-endian (two's complement), bool as 0/1,
 * address left-padded, bytesN right-padded; bytes and string as keccak256 of their content;
 * a struct as its hashStruct; an array as keccak256 of its items' encodings concatenated.
 *
 * Values: bytes and addresses as Uint8Array or 0x-hex, integers as bigint (or safe numbers).
 */
import { BaseError } from '../common/errors.ts';
import { concatBytes, fromHex, toHex } from '../common/bytes.ts';
import { keccak256, keccak256Concat } from '../crypto/keccak.ts';

export interface TypedField {
  readonly name: string;
  readonly type: string;
}
export type TypedTypes = { readonly [typeName: string]: readonly TypedField[] };

/** The domain Hyperspace uses: every field present, no salt. */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: bigint;
  /** 20-byte contract address. */
  verifyingContract: Uint8Array;
}

export const EIP712_DOMAIN_TYPES: TypedTypes = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
};

export class TypedDataError extends BaseError<{ path: string; type: string; reason: string }> {
  constructor(path: string, type: string, reason: string) {
    super('WIRE_TYPED_DATA', `typed data ${path} (${type}): ${reason}`, { details: { path, type, reason } });
  }
}

const ARRAY_RE = /^(.*)\[([0-9]*)\]$/;
const UINT_RE = /^uint([0-9]+)$/;
const INT_RE = /^int([0-9]+)$/;
const BYTESN_RE = /^bytes([0-9]+)$/;
const encoder = new TextEncoder();

function baseType(type: string): string {
  let t = type;
  for (let m = ARRAY_RE.exec(t); m !== null; m = ARRAY_RE.exec(t)) t = m[1]!;
  return t;
}

/** All struct types reachable from `primary` (including it). */
function dependencies(primary: string, types: TypedTypes, found = new Set<string>()): Set<string> {
  if (found.has(primary) || types[primary] === undefined) return found;
  found.add(primary);
  for (const field of types[primary]!) dependencies(baseType(field.type), types, found);
  return found;
}

/** `Primary(type name,…)Dep1(…)Dep2(…)` with dependencies sorted by name. */
export function encodeType(primary: string, types: TypedTypes): string {
  if (types[primary] === undefined) throw new TypedDataError(primary, primary, 'unknown struct type');
  const deps = [...dependencies(primary, types)].filter((t) => t !== primary).sort();
  return [primary, ...deps].map((t) => `${t}(${types[t]!.map((f) => `${f.type} ${f.name}`).join(',')})`).join('');
}

export function typeHash(primary: string, types: TypedTypes): Uint8Array {
  return keccak256(encoder.encode(encodeType(primary, types)));
}

function asBytes(value: unknown, path: string, type: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string' && value.startsWith('0x')) {
    try {
      return fromHex(value);
    } catch {
      throw new TypedDataError(path, type, 'bad hex');
    }
  }
  throw new TypedDataError(path, type, 'expected bytes (Uint8Array or 0x-hex)');
}

function asBigInt(value: unknown, path: string, type: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypedDataError(path, type, 'expected a bigint or a safe integer');
}

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function encodeField(type: string, value: unknown, types: TypedTypes, path: string): Uint8Array {
  const array = ARRAY_RE.exec(type);
  if (array !== null) {
    const [, inner, fixed] = array;
    if (!Array.isArray(value)) throw new TypedDataError(path, type, 'expected an array');
    if (fixed !== '' && value.length !== Number(fixed)) throw new TypedDataError(path, type, `expected ${fixed} items, got ${value.length}`);
    return keccak256Concat(...value.map((item, i) => encodeField(inner!, item, types, `${path}[${i}]`)));
  }
  if (types[type] !== undefined) return hashStruct(type, types, value, path);
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new TypedDataError(path, type, 'expected a boolean');
    return word(value ? 1n : 0n);
  }
  if (type === 'address') {
    const b = asBytes(value, path, type);
    if (b.length !== 20) throw new TypedDataError(path, type, `expected 20 bytes, got ${b.length}`);
    return concatBytes(new Uint8Array(12), b);
  }
  if (type === 'string') {
    if (typeof value !== 'string' || !value.isWellFormed()) throw new TypedDataError(path, type, 'expected a well-formed string');
    return keccak256(encoder.encode(value));
  }
  if (type === 'bytes') return keccak256(asBytes(value, path, type));
  const bytesN = BYTESN_RE.exec(type);
  if (bytesN !== null) {
    const n = Number(bytesN[1]);
    if (n < 1 || n > 32) throw new TypedDataError(path, type, 'bytesN needs 1 ≤ N ≤ 32');
    const b = asBytes(value, path, type);
    if (b.length !== n) throw new TypedDataError(path, type, `expected ${n} bytes, got ${b.length}`);
    const out = new Uint8Array(32);
    out.set(b);
    return out;
  }
  const uint = UINT_RE.exec(type);
  if (uint !== null) {
    const bits = Number(uint[1]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) throw new TypedDataError(path, type, 'bad width');
    const v = asBigInt(value, path, type);
    if (v < 0n || v >= 1n << BigInt(bits)) throw new TypedDataError(path, type, 'out of range');
    return word(v);
  }
  const int = INT_RE.exec(type);
  if (int !== null) {
    const bits = Number(int[1]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) throw new TypedDataError(path, type, 'bad width');
    const v = asBigInt(value, path, type);
    const half = 1n << BigInt(bits - 1);
    if (v < -half || v >= half) throw new TypedDataError(path, type, 'out of range');
    return word(v < 0n ? (1n << 256n) + v : v);
  }
  throw new TypedDataError(path, type, 'unknown type');
}

/** keccak256(typeHash ‖ enc(fields…)); extra or missing fields are errors. */
export function hashStruct(primary: string, types: TypedTypes, value: unknown, path = primary): Uint8Array {
  const fields = types[primary];
  if (fields === undefined) throw new TypedDataError(path, primary, 'unknown struct type');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypedDataError(path, primary, 'expected an object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!fields.some((f) => f.name === key)) throw new TypedDataError(`${path}.${key}`, primary, 'field not in the type');
  }
  const parts = [typeHash(primary, types)];
  for (const f of fields) {
    if (!(f.name in record)) throw new TypedDataError(`${path}.${f.name}`, f.type, 'missing');
    parts.push(encodeField(f.type, record[f.name], types, `${path}.${f.name}`));
  }
  return keccak256Concat(...parts);
}

export function domainSeparator(domain: Eip712Domain): Uint8Array {
  return hashStruct('EIP712Domain', EIP712_DOMAIN_TYPES, domain, 'domain');
}

/** The EIP-712 digest that wallets sign and contracts rebuild: keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct). */
export function hashTypedData(domain: Eip712Domain, types: TypedTypes, primaryType: string, message: unknown): Uint8Array {
  return keccak256Concat(Uint8Array.of(0x19, 0x01), domainSeparator(domain), hashStruct(primaryType, types, message));
}

/** 0x-hex view of a domain, for JSON and viem. */
export function domainToJson(domain: Eip712Domain): { name: string; version: string; chainId: string; verifyingContract: string } {
  return { name: domain.name, version: domain.version, chainId: domain.chainId.toString(), verifyingContract: toHex(domain.verifyingContract) };
}
