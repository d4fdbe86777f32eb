import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(script: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('examples/backprop-by-hand.ts: the decks\' conv gradients equal autograd\'s', () => {
  const out = run('examples/backprop-by-hand.ts');
  const [, dwA, dwH] = /dL\/dw autograd (\S+) by hand (\S+)/.exec(out)!;
  const [, dxA, dxH] = /dL\/dx autograd (\S+) by hand (\S+)/.exec(out)!;
  assert.equal(dwA, dwH);
  assert.equal(dxA, dxH);
  // δw = x ⋆ δ by hand: e.g. δw[0][0] = 1·1 + 2·2 + 0·(−1) + 1·1 = 6.
  assert.equal(dwA, '[[[[6,4],[1,7]]]]');
  assert.match(out, /gradcheck: ok=true/);
});

test('examples/train-lenet.ts trains LeNet-5 through the public API', () => {
  const out = run('examples/train-lenet.ts', '6400', '1');
  const acc = Number(/test accuracy ([\d.]+)%/.exec(out)![1]);
  assert.ok(acc > 80, `test accuracy ${acc}% after one epoch on 6,400 images`);
});

test('examples/pytorch: Receptive → PyTorch (load_state_dict, same logits, more training) → Receptive, and ONNX Runtime serving', (t) => {
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status !== 0) {
    t.skip('torch and torchvision are not installed for /usr/bin/python3');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'receptive-pytorch-'));
  try {
    assert.match(run('examples/pytorch/to-torch.ts', dir), /wrote .*resnet18\.safetensors \(122 tensors\)/);
    const torch = spawnSync(py, ['examples/pytorch/continue_in_torch.py', dir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(torch.status, 0, torch.stderr);
    assert.match(torch.stdout, /All keys matched successfully/);
    // The scripts themselves exit non-zero past 1e-4; the numbers are printed for the reader.
    assert.match(run('examples/pytorch/from-torch.ts', dir), /max \|receptive - torch\| logits after PyTorch training/);
    assert.match(run('examples/pytorch/serve-onnx.ts', dir), /batch of 4 .* logits 4×10/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
