/**
 * Byte and hex helpers shared by every layer. Hex is always lower-case with a
 * `0x` prefix on output; input accepts either case, with or without `0x`.
 */
import { InvalidArgumentError } from './errors.ts';

export type Hex = `0x${string}`;

const HEX_RE = /^(0x)?[0-9a-fA-F]*$/;

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/**
 * Parses hex into bytes. `expectedLength` (in bytes) is checked when given, so a
 * caller at a trust boundary gets a typed error rather than a short buffer.
 */
export function fromHex(hex: string, expectedLength?: number, argument = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) throw new InvalidArgumentError(argument, 'not a hex string');
  const body = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0) throw new InvalidArgumentError(argument, 'odd number of hex digits');
  const bytes = new Uint8Array(Buffer.from(body, 'hex'));
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new InvalidArgumentError(argument, `expected ${expectedLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time comparison for secrets and MACs (length is not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new InvalidArgumentError('xor operands', 'lengths differ');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Number of leading zero bits of a big-endian byte string (0..8·length). */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(toHex(bytes));
}

/** Big-endian, left-padded to `length` bytes; throws if the value does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new InvalidArgumentError('value', 'negative');
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new InvalidArgumentError('value', `does not fit in ${length} bytes`);
  return fromHex(hex.padStart(length * 2, '0'));
}
