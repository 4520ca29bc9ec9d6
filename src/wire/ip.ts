/**
 * IP addresses on the wire (§2.1.2: weak signatures cover the sender's IP and port).
 *
 * Always 16 bytes: an IPv6 address as is, an IPv4 address as IPv4-mapped IPv6
 * (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so one field covers both and each address has exactly
 * one encoding. Parsing is written here (not node:net) to keep src/wire free of I/O modules.
 */
import { InvalidArgumentError } from '../common/errors.ts';

export const IP_LENGTH = 16;

const V4_RE = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const HEXTET_RE = /^[0-9a-fA-F]{1,4}$/;

function parseV4(text: string): number[] | undefined {
  if (!V4_RE.test(text)) return undefined;
  return text.split('.').map(Number);
}

/** 16-byte form of an IPv4 or IPv6 textual address (no zone ids, no brackets). */
export function ipToBytes(ip: string): Uint8Array {
  const out = new Uint8Array(IP_LENGTH);
  const v4 = typeof ip === 'string' ? parseV4(ip) : undefined;
  if (v4 !== undefined) {
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  const bad = (): never => {
    throw new InvalidArgumentError('ip', `not an IPv4 or IPv6 address: ${String(ip).slice(0, 60)}`);
  };
  if (typeof ip !== 'string' || ip.length > 45 || ip.length < 2) bad();
  const halves = ip.split('::');
  if (halves.length > 2) bad();
  const parseSide = (side: string, allowV4Tail: boolean): number[] => {
    if (side === '') return [];
    const parts = side.split(':');
    const words: number[] = [];
    parts.forEach((part, i) => {
      if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
        const tail = parseV4(part) ?? bad();
        words.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      } else if (HEXTET_RE.test(part)) {
        words.push(parseInt(part, 16));
      } else {
        bad();
      }
    });
    return words;
  };
  const head = parseSide(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseSide(halves[1]!, true) : [];
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) bad();
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Whether `text` is an IPv4 or IPv6 address that ipToBytes accepts (boundary checks of contacts given as text). */
export function isIp(text: string): boolean {
  try {
    ipToBytes(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether a 16-byte address is IPv4-mapped (::ffff:a.b.c.d), i.e. an IPv4 address in bytes 12..15. */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === IP_LENGTH && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Canonical text of a 16-byte address: dotted IPv4 for IPv4-mapped, else RFC 5952 IPv6. */
export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== IP_LENGTH) throw new InvalidArgumentError('ip', `expected ${IP_LENGTH} bytes`);
  if (isIpv4Mapped(bytes)) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952: compress the longest run (≥ 2) of zero words, the first one on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
