/**
 * `hyperspace id verify` (§2.1.1): check an identity in O(1) without a keystore —
 * the public key is a secp256k1 point, its NodeAddress meets c1, and, given X,
 * keccak256(NodeAddress XOR X) meets c2. Exit 0 when valid, 1 when not.
 */
import { MAX_DIFFICULTY, PUZZLE_X_LENGTH } from '../../identity/puzzle.ts';
import { intFlag, parse, requireString } from '../args.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, printJson, type CliIo } from '../io.ts';
import { hexFlag, printHuman, usage } from './shared.ts';

export const VERIFY_HELP = `Usage: hyperspace id verify --public-key <hex> --c1 <bits> [--x <hex> --c2 <bits>] [--json]

Checks an identity in O(1): the public key is a valid secp256k1 point, keccak256(NodeAddress) has
at least c1 leading zero bits, and, when --x and --c2 are given, keccak256(NodeAddress XOR X) has
at least c2. Exits 0 when valid and 1 when invalid, printing the reason.

Options:
  --public-key <hex>  uncompressed public key, 0x04 ‖ X ‖ Y (65 bytes, 130 hex digits) (required)
  --c1 <bits>         required static difficulty, 0..${MAX_DIFFICULTY} (required)
  --x <hex>           dynamic puzzle solution, 32 bytes (64 hex digits); needs --c2
  --c2 <bits>         required dynamic difficulty, 0..${MAX_DIFFICULTY}; needs --x
  --json              print JSON on stdout
  -h, --help          show this help
`;

export async function runVerify(argv: string[], io: CliIo): Promise<number> {
  const { values } = usage('verify', () =>
    parse(argv, {
      'public-key': { type: 'string' },
      c1: { type: 'string' },
      x: { type: 'string' },
      c2: { type: 'string' },
      json: { type: 'boolean' },
    }),
  );
  const input = usage('verify', () => {
    const publicKey = hexFlag(requireString(values['public-key'], 'public-key'), 'public-key', 65);
    const c1 = intFlag(values.c1, 'c1', 0, MAX_DIFFICULTY);
    if ((values.x === undefined) !== (values.c2 === undefined)) throw new UsageError('--x and --c2 go together');
    if (values.x === undefined) return { publicKey, c1 };
    return {
      publicKey,
      c1,
      x: hexFlag(requireString(values.x, 'x'), 'x', PUZZLE_X_LENGTH),
      c2: intFlag(values.c2, 'c2', 0, MAX_DIFFICULTY),
    };
  });
  // Loaded here so the other commands do not pay for it.
  const { verifyIdentity } = await import('../../identity/verify-identity.ts');
  const result = verifyIdentity(input);
  if (values.json) printJson(io, result);
  else {
    const rows: [string, unknown][] = [['reason', result.reason]];
    if (result.address !== undefined) rows.push(['address', result.address]);
    if (result.nodeAddress !== undefined) rows.push(['nodeAddress', result.nodeAddress]);
    if (result.staticBits !== undefined) rows.push(['staticBits', `${result.staticBits} (c1 = ${input.c1})`]);
    if (result.dynamicBits !== undefined) rows.push(['dynamicBits', `${result.dynamicBits} (c2 = ${input.c2})`]);
    printHuman(io, result.valid ? 'valid' : 'INVALID', rows);
  }
  return result.valid ? EXIT_OK : EXIT_FAILURE;
}
