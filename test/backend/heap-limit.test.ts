import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceError, zeros } from '../../src/tensor/index.js';
import { conv2d, matmul } from '../../src/ops/index.js';
import { withBackend } from '../../src/backend/index.js';
import { enableWasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { MAX_HEAP_BYTES } from '../../src/backend/wasm/runtime.js';
import { assertThrowsWith } from '../helpers.js';

test('an op that needs more wasm heap than the limit is refused with a ResourceError before the heap grows for it', async () => {
  assert.ok(await enableWasmBackend());
  assert.equal(MAX_HEAP_BYTES, 2 ** 31);
  // A 1×1 convolution to 2,048 channels of 512×512: its output alone is 2 GiB of float32
  // (within the 4 GiB tensor limit) from 1 MiB of inputs.
  const x = zeros([1, 1, 512, 512]);
  const w = zeros([2048, 1, 1, 1]);
  const heapBefore = wasmInfo()!.heapBytes;
  const t = performance.now();
  const e = withBackend('wasm', () =>
    assertThrowsWith(() => conv2d(x, w), ResourceError, 'Conv2D', 'needs at least 2.00 GiB of wasm heap', 'limited to 2.00 GiB', 'smaller batch', "setBackend('reference')"),
  ) as ResourceError;
  assert.ok(performance.now() - t < 2000);
  assert.ok(e.neededBytes >= 2 ** 31, `needs ${e.neededBytes} bytes`);
  assert.equal(e.limitBytes, 2 ** 31);
  assert.ok(wasmInfo()!.heapBytes - heapBefore < 64 << 20, 'the heap did not grow for the refused call');
  // A matrix product with a huge batch (the CLI's --batch-size 32768 case): [32768, 64] · [64, 16384]
  // has a 2 GiB result from 12 MiB of inputs.
  const a = zeros([32768, 64]);
  const b = zeros([64, 16384]);
  withBackend('wasm', () => assertThrowsWith(() => matmul(a, b), ResourceError, 'MatMul', 'wasm heap'));
  assert.ok(wasmInfo()!.heapBytes - heapBefore < 64 << 20, 'the heap did not grow for the refused product');
  // The heap still works after the refusals, and gives the reference's result.
  const y = withBackend('wasm', () => conv2d(zeros([1, 1, 4, 4]), zeros([3, 1, 1, 1]).add(1)));
  assert.deepEqual([...y.shape], [1, 3, 4, 4]);
});
