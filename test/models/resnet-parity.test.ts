import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/index.js';
import { parseSafetensors } from '../../src/io/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { createModel } from '../../src/models/index.js';
import { assertClose } from '../helpers.js';

/*
 * Full-model parity with torchvision: scripts/torchvision_reference.py --parity
 * writes seeded weights (with batch-norm statistics from three train-mode
 * batches) and torchvision's eval-mode outputs; the same state dict loads
 * strictly here and gives the same stage outputs and logits, in float32 and
 * float64. Needs torch; says that it skipped where torch is missing.
 */

const PY = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../scripts/torchvision_reference.py', import.meta.url));
const hasTorch = spawnSync(PY, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;

const read = (p: string) => parseSafetensors(new Uint8Array(readFileSync(p)), p);

for (const name of ['resnet18', 'resnet50']) {
  test(`${name} matches torchvision (stage outputs, logits, float64 logits) on the script's seeded weights`, (t) => {
    if (!hasTorch) {
      t.skip('torch not installed');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'receptive-parity-'));
    try {
      const run = spawnSync(PY, [SCRIPT, '--parity', dir, name], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const weights = read(join(dir, `${name}.safetensors`)).tensors;
      const io = read(join(dir, `${name}.io.safetensors`)).tensors;
      const m = createModel(name);
      const report = m.loadStateDict(weights);
      assert.deepEqual(report, { missing: [], unexpected: [] });
      const stages: Record<string, Tensor> = {};
      for (const s of ['layer1', 'layer2', 'layer3', 'layer4']) {
        (m as unknown as Record<string, { registerForwardHook(h: (m: unknown, i: unknown, o: Tensor) => void): unknown }>)[s].registerForwardHook((_m, _i, o) => {
          stages[s] = o;
        });
      }
      // float32: summation order differs from torch (GEMM blocking), so 1e-3; float64 below is the tight check.
      const logits = m.predict(io.input);
      for (const s of Object.keys(stages)) assertClose(stages[s], io[s], { atol: 1e-3, rtol: 1e-3 }, `${name} ${s}`);
      assertClose(logits, io.logits, { atol: 1e-3, rtol: 1e-3 }, `${name} logits`);
      m.to('float64');
      const x64 = new Tensor(Float64Array.from(io.input.data), io.input.shape);
      const logits64 = noGrad(() => m.predict(x64));
      assertClose(logits64, io.logits64, { atol: 1e-10, rtol: 1e-9 }, `${name} float64 logits`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
