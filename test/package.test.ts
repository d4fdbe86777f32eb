import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as R from 'receptive';
import * as RNode from 'receptive/node';

test('the package imports as "receptive" (self-reference) with the PyTorch-style names', () => {
  for (const name of ['tensor', 'zeros', 'ones', 'randn', 'manualSeed', 'gradcheck', 'setBackend', 'getBackend', 'noGrad',
    'conv1d', 'conv2d', 'convTranspose2d', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'interpolate', 'upsample',
    'batchNorm', 'dropout', 'localResponseNorm', 'relu', 'softmax', 'logSoftmax', 'linear', 'mseLoss', 'crossEntropy',
    'Conv2d', 'Linear', 'Sequential', 'summary', 'Adam', 'SGD', 'LeNet5', 'fit', 'DataLoader', 'setNumThreads', 'setConvAlgorithm'] as const) {
    assert.equal(typeof (R as Record<string, unknown>)[name], 'function', `receptive exports ${name}`);
  }
  assert.equal(R.F.conv2d, R.conv2d, 'F is the functional namespace, its functions also at the top level');
  assert.equal(typeof RNode.loadMNIST, 'function');
  assert.equal(typeof RNode.saveCheckpoint, 'function');
  const x = R.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [[2, 4], [6, 8]]);
  assert.deepEqual([...x.shape], [2, 2]);
  assert.equal(x.dtype, 'float32');
});

test('importing receptive makes wasm the default backend where WebAssembly SIMD exists; the reference is one call away', async () => {
  assert.equal(R.wasmSimdSupported(), true, 'Node 20 has WebAssembly SIMD');
  assert.equal(R.getBackend(), 'wasm');
  await R.setBackend('reference');
  assert.equal(R.getBackend(), 'reference');
  await R.setBackend('wasm');
});

test('the built package (dist/, made by npm ci) loads in plain Node without the source condition', { skip: !existsSync('dist/index.js') && 'dist/ not built (run npm run build)' }, () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import('receptive').then((r) => console.log(typeof r.conv2d, typeof r.F.maxPool2d, r.tensor([1, 2]).sum().item()))"], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function 3');
});
