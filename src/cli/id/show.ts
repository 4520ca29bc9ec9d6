/**
 * `hyperspace id show` (§2.1): decrypt a keystore and print its identity —
 * Ethereum address, NodeAddress, public key, the static puzzle bits it meets and
 * the c1 it was created for. Never writes anything.
 */
import { unlockKeystoreFile } from '../../identity/keystore.ts';
import { parse, requireString } from '../args.ts';
import { EXIT_OK, printJson, type CliIo } from '../io.ts';
import { readPassword } from '../password.ts';
import { identityView, printHuman, usage } from './shared.ts';

export const SHOW_HELP = `Usage: hyperspace id show --keystore <file> [--json]

Decrypts <file> and prints its identity: Ethereum address, NodeAddress, public key, the static
puzzle bits the NodeAddress meets, and the c1 it was created for. Never writes anything.

Options:
  --keystore <file>  keystore file to read (required)
  --json             print JSON on stdout
  -h, --help         show this help

Password: HYPERSPACE_PASSWORD, or asked on the terminal.
`;

export async function runShow(argv: string[], io: CliIo): Promise<number> {
  const { values } = usage('show', () => parse(argv, { keystore: { type: 'string' }, json: { type: 'boolean' } }));
  const path = usage('show', () => requireString(values.keystore, 'keystore'));
  const password = await readPassword(io, { purpose: 'unlock', keystorePath: path });
  const unlocked = await unlockKeystoreFile(path, password);
  unlocked.secretKey.fill(0);
  const view = identityView(unlocked.publicKey);
  const c1 = unlocked.meta.c1 ?? null;
  const out = { ...view, c1, keystore: path };
  if (values.json) printJson(io, out);
  else
    printHuman(io, `Identity in ${path}`, [
      ['address', view.address],
      ['nodeAddress', view.nodeAddress],
      ['publicKey', view.publicKey],
      ['staticBits', c1 === null ? String(view.staticBits) : `${view.staticBits} (created for c1 = ${c1})`],
    ]);
  return EXIT_OK;
}
