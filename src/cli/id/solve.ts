/**
 * `hyperspace id solve` (§2.1.1): find the dynamic S/Kademlia puzzle solution, a
 * 32-byte X such that keccak256(NodeAddress XOR X) has at least c2 leading zero
 * bits — what a community server asks of the nodes joining its sub-network.
 */
import { fromHex, toHex } from '../../common/bytes.ts';
import { assertUncompressedPublicKey } from '../../identity/node-address.ts';
import { MAX_DIFFICULTY } from '../../identity/puzzle.ts';
import { unlockKeystoreFile } from '../../identity/keystore.ts';
import { intFlag, parse, requireString } from '../args.ts';
import { EXIT_OK, UsageError, printJson, type CliIo } from '../io.ts';
import { readPassword } from '../password.ts';
import { EXIT_INTERRUPTED, formatDuration, interruptible, progressReporter } from '../progress.ts';
import { estimatingProgress, MAX_EXPECTED_SECONDS, SearchTooLongError } from './estimate.ts';
import { MAX_WORKERS, grindOptions, hexFlag, hint, identityView, printHuman, round, searchRow, usage, type IdContext } from './shared.ts';

export const SOLVE_HELP = `Usage: hyperspace id solve (--keystore <file> | --public-key <hex>) --c2 <bits> [--workers <n>] [--force] [--progress] [--json]

Finds a 32-byte X such that keccak256(NodeAddress XOR X) has at least c2 leading zero bits: the
dynamic puzzle a community server sets for its sub-network. Expected work is 2^c2 attempts; once the
rate is measured (within a second) the expected time is printed on stderr, and a search expected to
take over ${formatDuration(MAX_EXPECTED_SECONDS)} is stopped unless --force is given.

Options:
  --keystore <file>   keystore holding the identity (password needed)
  --public-key <hex>  or the uncompressed public key (0x04…, 65 bytes), no password needed
  --c2 <bits>         dynamic puzzle difficulty in bits, 0..${MAX_DIFFICULTY} (required)
  --workers <n>       worker threads, 1..${MAX_WORKERS} (default: one per CPU core)
  --force             run even when the expected time is over ${formatDuration(MAX_EXPECTED_SECONDS)}
  --progress          show progress on stderr even when it is not a terminal
  --json              print JSON on stdout (includes x)
  -h, --help          show this help
`;

export async function runSolve(argv: string[], io: CliIo, context: IdContext): Promise<number> {
  const { values } = usage('solve', () =>
    parse(argv, {
      keystore: { type: 'string' },
      'public-key': { type: 'string' },
      c2: { type: 'string' },
      workers: { type: 'string' },
      force: { type: 'boolean' },
      progress: { type: 'boolean' },
      json: { type: 'boolean' },
    }),
  );
  const { c2, workers, publicKeyFlag } = usage('solve', () => {
    if ((values.keystore === undefined) === (values['public-key'] === undefined)) {
      throw new UsageError('give exactly one of --keystore and --public-key');
    }
    return {
      c2: intFlag(values.c2, 'c2', 0, MAX_DIFFICULTY),
      workers: values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 1, MAX_WORKERS),
      publicKeyFlag: values['public-key'] === undefined ? undefined : hexFlag(requireString(values['public-key'], 'public-key'), 'public-key', 65),
    };
  });

  let publicKey: Uint8Array;
  let c1: number | null = null;
  if (publicKeyFlag) {
    try {
      assertUncompressedPublicKey(publicKeyFlag);
    } catch (error) {
      throw new UsageError(`--public-key: ${(error as Error).message}`, hint('solve'));
    }
    publicKey = publicKeyFlag;
  } else {
    const path = usage('solve', () => requireString(values.keystore, 'keystore'));
    const password = await readPassword(io, { purpose: 'unlock', keystorePath: path });
    const unlocked = await unlockKeystoreFile(path, password);
    unlocked.secretKey.fill(0);
    publicKey = unlocked.publicKey;
    c1 = unlocked.meta.c1 ?? null;
  }
  const view = identityView(publicKey);

  const { solveDynamicPuzzle } = await import('../../identity/grind.ts');
  const label = `solving c2=${c2}`;
  const shown = progressReporter(io, label, io.interactive || values.progress === true);
  // Progress is always reported to us (to measure the rate); lines are drawn only when shown.
  let refused: SearchTooLongError | null = null;
  const stop = new AbortController();
  const onProgress = estimatingProgress(io, {
    label,
    difficulty: c2,
    force: values.force === true,
    show: shown.onProgress,
    refuse: (error) => {
      refused = error;
      stop.abort(error);
    },
  });
  const progress = { ...shown, onProgress, intervalMs: shown.intervalMs ?? 250 };
  const result = await interruptible(context.signal, async (signal) => {
    try {
      return await solveDynamicPuzzle(fromHex(view.nodeAddress), c2, grindOptions(workers, progress, AbortSignal.any([signal, stop.signal])));
    } catch (error) {
      if (refused) throw refused;
      throw error;
    } finally {
      progress.done();
    }
  });
  if (result === null) {
    io.stderr('hyperspace: interrupted\n');
    return EXIT_INTERRUPTED;
  }
  const x = toHex(result.x);
  const out = {
    ...view,
    ...(c1 === null ? {} : { c1 }),
    x,
    dynamicBits: result.dynamicBits,
    c2,
    attempts: result.attempts,
    seconds: round(result.seconds),
  };
  if (values.json) printJson(io, out);
  else
    printHuman(io, `Dynamic puzzle solved for ${view.address}`, [
      ['x', x],
      ['dynamicBits', `${result.dynamicBits} (c2 = ${c2})`],
      ['nodeAddress', view.nodeAddress],
      searchRow(result),
    ]);
  return EXIT_OK;
}
