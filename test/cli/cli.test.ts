import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { cli } from './run.js';
import { loadMNIST } from '../../src/data/index.js';

test('every command has --help', () => {
  for (const cmd of [[], ['train'], ['eval'], ['predict'], ['summary']]) {
    const r = cli([...cmd, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: receptive/);
  }
  assert.match(cli(['train', '--help']).stdout, /--batch-size <n>/);
});

test('unknown options, bad values and missing files give one-line errors and a non-zero exit', () => {
  const unknown = cli(['train', '--bogus']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  const bad = cli(['train', '--epochs', 'zero']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--epochs must be an integer/);
  const missing = cli(['eval', '/no/such/checkpoint.safetensors']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'receptive: checkpoint /no/such/checkpoint.safetensors does not exist');
  const resume = cli(['train', '--resume', '/no/such/ckpt.safetensors']);
  assert.equal(resume.code, 1, 'resuming from a missing path is an error, never a fresh start');
  assert.match(resume.stderr, /does not exist/);
  const model = cli(['summary', 'resnet9000']);
  assert.notEqual(model.code, 0);
  assert.match(model.stderr, /unknown model "resnet9000"/);
});

test('summary prints the LeNet-5 table', () => {
  const r = cli(['summary', 'lenet5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /features\.0 \(Conv2d\)\s+\[1, 6, 28, 28\]\s+156/);
  assert.match(r.stdout, /Total params: 61,706/);
});

test('train, eval and predict on a small MNIST subset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-'));
  const t = cli(['train', '--limit', '2560', '--test-limit', '1000', '--epochs', '2', '--out', dir, '--no-progress', '--eval-each-epoch']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /epoch 2 done/);
  const acc = Number(/Test accuracy: ([\d.]+)%/.exec(t.stdout)?.[1]);
  assert.ok(acc > 70, `test accuracy ${acc}% after 80 steps on 2,560 images`);
  // --eval-each-epoch: one test evaluation per epoch, the last one the final accuracy, and training untouched by it.
  const perEpoch = [...t.stdout.matchAll(/epoch (\d+): test accuracy ([\d.]+)% after ([\d.]+) s/g)];
  assert.deepEqual(perEpoch.map((m) => Number(m[1])), [1, 2]);
  assert.equal(Number(perEpoch[1][2]), acc);
  assert.ok(Number(perEpoch[0][3]) <= Number(perEpoch[1][3]));
  const plain = cli(['train', '--limit', '2560', '--test-limit', '1000', '--epochs', '2', '--out', mkdtempSync(join(tmpdir(), 'receptive-cli-')), '--no-progress']);
  assert.equal(Number(/Test accuracy: ([\d.]+)%/.exec(plain.stdout)?.[1]), acc, 'the same run without per-epoch evaluation ends at the same accuracy');
  assert.doesNotMatch(plain.stdout, /test accuracy .* after/);
  assert.match(t.stdout, /Confusion matrix/);
  assert.match(t.stdout, /Per-class accuracy/);
  const ckpt = join(dir, 'checkpoint.safetensors');
  const e = cli(['eval', ckpt, '--limit', '1000']);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(Number(/Test accuracy: ([\d.]+)%/.exec(e.stdout)?.[1]), acc, 'eval reproduces the accuracy train reported');
  // A real test digit written as a PNG (black on white, as people draw), and the same sample by index.
  const test = loadMNIST({ split: 'test', limit: 1 });
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) {
    const v = 255 - test.raw[i];
    png.data.set([v, v, v, 255], 4 * i);
  }
  const file = join(dir, 'digit.png');
  writeFileSync(file, PNG.sync.write(png));
  // The same digit as a JPEG, upscaled to 56x56 (the CLI resizes to 28x28 by area averaging).
  const big = new Uint8Array(56 * 56 * 4);
  for (let i = 0; i < 56 * 56; i++) {
    const v = 255 - test.raw[Math.floor(i / 112) * 28 + Math.floor((i % 56) / 2)];
    big.set([v, v, v, 255], 4 * i);
  }
  const jpgFile = join(dir, 'digit.jpg');
  writeFileSync(jpgFile, jpeg.encode({ data: big, width: 56, height: 56 }, 95).data);
  const p = cli(['predict', ckpt, file, jpgFile, 'mnist:0']);
  assert.equal(p.code, 0, p.stderr);
  const preds = [...p.stdout.matchAll(/predicted (\d)/g)].map((m) => m[1]);
  assert.deepEqual(preds, ['7', '7', '7'], p.stdout);
  assert.match(p.stdout, /mnist:0 \(label 7\)/);
  writeFileSync(join(dir, 'bad.png'), readFileSync(file).subarray(0, 40));
  const bad = cli(['predict', ckpt, join(dir, 'bad.png')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /bad\.png: cannot decode image/);
});
