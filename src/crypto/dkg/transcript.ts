/**
 * What a DKG member reads off the broadcast transcript (whitepaper §2.2.1; docs/threshold.md §3): the complaints
 * against each dealer and the dealers whose echoed commitment hashes conflict. Pure functions over the responses.
 */
import { bytesEqual, concatBytes } from '../../common/bytes.ts';
import { keccak256 } from '../keccak.ts';
import { STATUS, type ResponseBody } from './messages.ts';

/** keccak256 of the concatenated commitments: what responses echo. */
export function commitmentsHash(commitments: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...commitments));
}

/** dealer → members who complained about it (bad share or missing); entries naming no dealer 1..dealers are ignored. */
export function complaintsOf(responses: Iterable<[number, ResponseBody]>, dealers: number): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const [member, r] of responses) {
    for (const e of r.entries) {
      if (e.status === STATUS.ok || e.dealer < 1 || e.dealer > dealers) continue;
      let set = out.get(e.dealer);
      if (!set) out.set(e.dealer, (set = new Set()));
      set.add(member);
    }
  }
  return out;
}

/** Dealers for which some response reports a commitment hash other than the one `held` returns. */
export function conflictsOf(responses: Iterable<ResponseBody>, held: (dealer: number) => Uint8Array | undefined): Set<number> {
  const out = new Set<number>();
  for (const r of responses) {
    for (const e of r.entries) {
      const mine = held(e.dealer);
      if (e.status !== STATUS.missing && mine && !bytesEqual(mine, e.commitmentsHash)) out.add(e.dealer);
    }
  }
  return out;
}
