import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GENERATED_PATH, buildKernelsWasm, renderKernelsModule } from '../../../scripts/build-wasm.ts';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.ts';

test('the committed kernels wasm is exactly what assembly/kernels.ts builds to (rebuild with scripts/build-wasm.ts)', async () => {
  const rebuilt = await buildKernelsWasm();
  assert.equal(Buffer.from(rebuilt).toString('base64'), KERNELS_WASM_BASE64);
  assert.equal(renderKernelsModule(rebuilt), readFileSync(GENERATED_PATH, 'utf8'));
});
