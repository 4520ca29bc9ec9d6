/**
 * Gas of the main Staking / ModelRegistry / FeeEscrow calls on the embedded chain (Prague, optimizer on), measured
 * by running the contract test scenarios (src/chain/scenarios.test-helper.ts) and reading each receipt's gasUsed.
 * Prints one JSON object. Gas is deterministic; wallSeconds is noisy on a shared machine.
 *
 *   node_modules/.bin/node bench/contracts-gas.ts
 */
import { cpus } from 'node:os';
import { startEmbeddedChain } from '../src/chain/embedded-chain.ts';
import { CORE_SCENARIOS, gasSeen, setup } from '../src/chain/scenarios.test-helper.ts';

const started = performance.now();
const chain = await startEmbeddedChain();
let deployGas: Record<string, bigint> = {};
try {
  for (const scenario of CORE_SCENARIOS) {
    const env = await setup(chain.rpcUrl, chain.accounts.map((a) => a.privateKey));
    deployGas = env.deployment.gas;
    await scenario.run(env);
  }
} finally {
  await chain.close();
}
const toNumbers = (r: Record<string, bigint>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
process.stdout.write(
  JSON.stringify({
    name: 'contracts-gas',
    chain: 'embedded EDR 0.22.0, prague',
    deployGas: toNumbers(deployGas),
    callGas: toNumbers(gasSeen),
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  }) + '\n',
);
