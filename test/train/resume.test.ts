import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/run.js';
import { readCheckpoint } from '../../src/train/checkpoint-node.js';

const common = ['--limit', '640', '--test-limit', '100', '--batch-size', '32', '--epochs', '3', '--no-progress'];

test('resume is exact: 25 steps, checkpoint, 35 more in a fresh process equal 60 uninterrupted steps bit for bit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-resume-'));
  const whole = join(dir, 'whole');
  const part = join(dir, 'part');
  // 640 images at batch 32 = 20 steps an epoch: step 25 stops in the middle of epoch 2.
  const a = cli(['train', ...common, '--out', whole]);
  assert.equal(a.code, 0, a.stderr);
  const b1 = cli(['train', ...common, '--out', part, '--max-steps', '25']);
  assert.equal(b1.code, 0, b1.stderr);
  assert.equal(readCheckpoint(join(part, 'checkpoint.safetensors')).info.training!.step, 25);
  // --max-steps is part of the saved run: resuming continues to the limit given now.
  const b2 = cli(['train', '--resume', join(part, 'checkpoint.safetensors'), '--max-steps', '60', '--no-progress']);
  assert.equal(b2.code, 0, b2.stderr);
  assert.match(b2.stdout, /resumed from .* at step 25/);
  const w = readCheckpoint(join(whole, 'checkpoint.safetensors'));
  const p = readCheckpoint(join(part, 'checkpoint.safetensors'));
  assert.equal(w.info.training!.step, 60);
  assert.equal(p.info.training!.step, 60);
  for (const [k, t] of Object.entries(w.tensors)) assert.deepEqual(p.tensors[k].data, t.data, `weights ${k} differ after resume`);
  assert.deepEqual(p.info.training!.optimizer, w.info.training!.optimizer);
});
