import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { FASHION_MNIST_CLASSES } from '../../src/data/index.js';
import { readCheckpoint } from '../../src/train/checkpoint-node.js';
import { assertCliError, cli } from './run.js';
import { writeIdxDataset } from './idx-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-ds-'));
const data = join(dir, 'fashion');
const { testLabels } = writeIdxDataset(data, { train: 128, test: 40 });
const out = join(dir, 'run');
const ckpt = join(out, 'checkpoint.safetensors');
const accuracy = (s: string) => Number(/Test accuracy: ([\d.]+)%/.exec(s)?.[1]);

test('a Fashion-MNIST checkpoint: eval and predict use its dataset and data directory, name its classes, refuse another dataset', () => {
  const t = cli(['train', '--dataset', 'fashion-mnist', '--data-dir', data, '--batch-size', '32', '--max-steps', '3', '--out', out, '--no-progress']);
  assert.equal(t.code, 0, t.stderr);
  assert.deepEqual(readCheckpoint(ckpt).info.dataset, { name: 'fashion-mnist', dir: data, classNames: [...FASHION_MNIST_CLASSES] });

  // Run from another directory: the recorded data directory is absolute.
  const e = cli(['eval', ckpt]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /on 40 fashion-mnist test images/);
  assert.equal(accuracy(e.stdout), accuracy(t.stdout), 'eval scores the same test set train did');
  assert.match(e.stdout, /Ankle boot\s+[\d.]+%/);

  assertCliError(cli(['eval', ckpt, '--dataset', 'mnist']), /eval: the checkpoint was trained on fashion-mnist, not mnist: leave --dataset out/);
  assertCliError(cli(['predict', ckpt, 'fashion-mnist:0', '--dataset', 'mnist']), /predict: the checkpoint was trained on fashion-mnist, not mnist/);

  const p = cli(['predict', ckpt, 'fashion-mnist:0', 'fashion-mnist:1']);
  assert.equal(p.code, 0, p.stderr);
  const named = [...p.stdout.matchAll(/^(fashion-mnist:\d) \(label ([^)]+)\): predicted (.+) \([\d.]+%\)$/gm)];
  assert.deepEqual(named.map((m) => m[2]), [FASHION_MNIST_CLASSES[testLabels[0]], FASHION_MNIST_CLASSES[testLabels[1]]]);
  assert.ok(named.every((m) => FASHION_MNIST_CLASSES.includes(m[3])), p.stdout);
  assert.match(p.stdout, /T-shirt\/top: 0\.\d{4}/);
});

test('predict reports every input: results for the good ones, one error line for each bad one, exit 1', () => {
  const blank = new PNG({ width: 28, height: 28 });
  writeFileSync(join(dir, 'blank.png'), PNG.sync.write(blank));
  const p = cli(['predict', ckpt, join(dir, 'missing.png'), 'fashion-mnist:2', 'mnist:0', join(dir, 'blank.png'), 'fashion-mnist:99999']);
  assert.equal(p.code, 1);
  assert.match(p.stdout, /^fashion-mnist:2 \(label [^)]+\): predicted/m);
  assert.match(p.stdout, /blank\.png: predicted/);
  const errors = p.stderr.trim().split('\n');
  assert.deepEqual(errors.map((l) => l.replace(dir, 'DIR')), [
    'receptive: warning: DIR/blank.png looks blank (all pixels about the same); the prediction means little',
    'receptive: image DIR/missing.png does not exist',
    'receptive: predict: mnist:0: the checkpoint was trained on fashion-mnist; name its test samples fashion-mnist:<index>',
    'receptive: predict: fashion-mnist:99999: the fashion-mnist test set has 40 images (0..39)',
  ]);
});
