import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpoint } from '../../src/train/checkpoint-node.js';
import { assertCliError, cli, cliCommand } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'receptive-cli-train-'));
const accuracy = (s: string) => Number(/Test accuracy: ([\d.]+)%/.exec(s)?.[1]);
// 640 images at batch 32: 20 steps an epoch.
const common = ['--limit', '640', '--test-limit', '50', '--batch-size', '32', '--epochs', '3', '--no-progress'];

test('--resume: saved settings win, each other flag given is named in a warning, --max-steps is carried over; the metrics log continues', () => {
  const part = join(dir, 'part');
  const ckpt = join(part, 'checkpoint.safetensors');
  const a = cli(['train', ...common, '--max-steps', '10', '--out', part, '--log', join(dir, 'part.csv'), '--log-every', '5']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^Trained 10 steps in/m);

  const b = cli(['train', '--resume', ckpt, '--lr', '0.5', '--batch-size', '8', '--optimizer', 'adam', '--no-progress']);
  assert.equal(b.code, 0, b.stderr);
  const warnings = b.stderr.trim().split('\n').sort();
  // --optimizer adam equals the saved setting: nothing to warn about.
  assert.equal(warnings.length, 3, b.stderr);
  assert.match(warnings[0], /^receptive: warning: --batch-size 8 is ignored: .*\(batchSize 32\)/);
  assert.match(warnings[1], /^receptive: warning: --lr 0\.5 is ignored: a resumed run keeps its saved settings \(lr 0\.003\)/);
  assert.match(warnings[2], /^receptive: warning: the run already reached its --max-steps 10/);
  assert.equal(readCheckpoint(ckpt).info.training!.step, 10, 'the carried-over --max-steps 10 stops it at once');

  const c = cli(['train', '--resume', ckpt, '--max-steps', '25', '--no-progress', '--log', join(dir, 'part.csv'), '--log-every', '5']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stderr, '');
  assert.match(c.stdout, /^Trained 15 steps \(steps 11-25, resumed\) in/m);
  assert.equal(readCheckpoint(ckpt).info.training!.step, 25);

  // The same 25 steps uninterrupted: the same weights, and the same logged losses.
  const whole = cli(['train', ...common, '--max-steps', '25', '--out', join(dir, 'whole'), '--log', join(dir, 'whole.jsonl'), '--log-every', '5']);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(accuracy(c.stdout), accuracy(whole.stdout));
  const w = readCheckpoint(join(dir, 'whole', 'checkpoint.safetensors'));
  for (const [k, t] of Object.entries(w.tensors)) assert.deepEqual(readCheckpoint(ckpt).tensors[k].data, t.data, k);
  const csv = readFileSync(join(dir, 'part.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(csv[0], ['type', 'epoch', 'step', 'loss', 'accuracy', 'lr', 'images_per_s', 'val_loss', 'val_accuracy', 'seconds']);
  const jsonl = readFileSync(join(dir, 'whole.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(csv.slice(1).map((r) => [r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])]), jsonl.map((r) => [r.type, r.epoch, r.step, r.loss, r.accuracy]));
  assert.deepEqual(jsonl.map((r) => `${r.type}${r.step}`), ['step5', 'step10', 'step15', 'step20', 'epoch20', 'step25']);
});

test('progress lines and the final line honour --max-steps', () => {
  const r = cli(['train', '--limit', '1600', '--test-limit', '50', '--batch-size', '8', '--epochs', '5', '--max-steps', '150', '--out', join(dir, 'm'), '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^epoch 1\/1 step 100\/150 \| .* \| ETA \d+s$/m);
  assert.match(r.stdout, /^Trained 150 steps in .*; stopped: maxSteps$/m);
});

test('Ctrl-C during training: the checkpoint is saved, the step and the resume command are printed, exit 130', async () => {
  const out = join(dir, 'sigint');
  const child = spawn(process.execPath, [...cliCommand(), 'train', '--epochs', '1', '--batch-size', '16', '--out', out, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((res) => child.stdout.on('data', (d) => {
    stdout += d;
    if (/step 100\//.test(stdout)) res();
  }));
  child.kill('SIGINT');
  const code = await new Promise((res) => child.once('exit', res));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /^receptive: interrupted: saving the checkpoint after this step/);
  const ckpt = join(out, 'checkpoint.safetensors');
  const step = Number(/Interrupted: the checkpoint holds step (\d+): /.exec(stdout)?.[1]);
  assert.ok(step >= 100 && step < 3750, stdout);
  assert.equal(readCheckpoint(ckpt).info.training!.step, step);
  assert.ok(stdout.includes(`Resume with: receptive train --resume ${ckpt}`));
  assert.doesNotMatch(stdout, /Test accuracy/);
});

test('--model ./my-model.ts: trains and evaluates a user\'s own model from its builder; the checkpoint records the file', () => {
  const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
  // The user's project is an ES module package (Receptive is ESM-only).
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const file = join(dir, 'my-model.ts');
  writeFileSync(file, [
    `import { Conv2d, Flatten, Sequential } from ${JSON.stringify(src)};`,
    'export default function build(config: { inChannels: number; height: number; numClasses: number }) {',
    '  return new Sequential(new Conv2d({ inChannels: config.inChannels, outChannels: config.numClasses, kernelSize: config.height }), new Flatten());',
    '}',
  ].join('\n'));
  const out = join(dir, 'own');
  const t = cli(['train', '--model', file, '--limit', '256', '--test-limit', '50', '--max-steps', '4', '--out', out, '--no-progress'], { source: true });
  assert.equal(t.code, 0, t.stderr);
  const ckpt = join(out, 'checkpoint.safetensors');
  const info = readCheckpoint(ckpt).info;
  assert.equal(info.model.file, file);
  assert.deepEqual(Object.keys(readCheckpoint(ckpt).tensors).sort(), ['0.bias', '0.weight']);
  const e = cli(['eval', ckpt, '--limit', '50'], { source: true });
  assert.equal(e.code, 0, e.stderr);
  assert.equal(accuracy(e.stdout), accuracy(t.stdout));
  writeFileSync(join(dir, 'none.mjs'), 'export const x = 1;\n');
  assertCliError(cli(['train', '--model', join(dir, 'none.mjs'), '--out', join(dir, 'n')]), /none\.mjs exports no builder: write "export default function build\(config\)/);
  assertCliError(cli(['train', '--model', join(dir, 'absent.js'), '--out', join(dir, 'n')]), /model file .*absent\.js does not exist/);
});
