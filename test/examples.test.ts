import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

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
