import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costTable, costTableMarkdown, differenceProofBisection, oneStepCost, resendBisection, scenario, txGas, GAS } from './cost-model.ts';
import { DEFAULTS } from './trace.ts';

test('txGas pays the EIP-7623 floor for light execution and the standard price for heavy execution', () => {
  const nz = 32 + GAS.overheadNonzeroBytes;
  assert.equal(txGas(1, 0), GAS.txBase + 40 * nz + 10 * GAS.overheadZeroBytes);
  assert.equal(txGas(1, 1_000_000), GAS.txBase + 16 * nz + 4 * GAS.overheadZeroBytes + 1_000_000);
});

test('the default arity meets the issue-5 goals in the model: ≤ 10 rounds and one-step MAC ≤ 100k gas at 10^7', () => {
  const s = scenario(1e7, 4096, DEFAULTS.arity);
  assert.ok(s.rounds <= 10, `rounds ${s.rounds}`);
  assert.ok(s.oneStepMac.gas <= 100_000, `one-step ${s.oneStepMac.gas}`);
  assert.ok(s.resend.totalGas + s.oneStepMac.gas <= 2_000_000);
});

test('binary rounds match the depth; the difference-proof style never costs more than resending', () => {
  assert.equal(resendBisection(21, 2).rounds, 21);
  assert.equal(differenceProofBisection(0, 16).transactions, 0);
  for (const row of costTable()) {
    assert.equal(row.rounds, row.differenceProof.rounds);
    assert.ok(row.differenceProof.totalGas < row.resend.totalGas, `k=${row.arity} n=${row.elements}`);
    // Final proofs stay binary: never larger than a k-ary tree's.
    assert.ok(32 * (1 + row.traceDepth) <= row.karyTreeProofBytes);
  }
  assert.ok(oneStepCost([21, 21, 21]).bytes > oneStepCost([21, 21]).bytes);
  assert.match(costTableMarkdown(), /\| 1e7 \| 16 \| 9 \(6\+3\)/);
});
