import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./graph-release-run.ts', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { early: number; late: number; steps: number; first: number; last: number };
};
const MB = 1024 * 1024;

test('keeping every loss tensor over 1,000 LeNet-sized steps does not keep their graphs: memory stays flat', () => {
  const { early, late, steps, first, last } = run('1000');
  assert.equal(steps, 1000);
  assert.ok(last < first, `the net trains (loss ${first} -> ${last})`);
  const growth = late - early;
  assert.ok(growth < 20 * MB, `heap + typed arrays after GC grew by ${(growth / MB).toFixed(1)} MB between step 100 and step 1000`);
});

test('the measurement sees the leak when each graph is retained ({ retainGraph: true })', () => {
  // Each retained LeNet step (batch 16) keeps ~0.75 MB of saved activations.
  const { early, late } = run('200', 'retain');
  assert.ok(late - early > 40 * MB, `100 retained graphs grew memory by ${((late - early) / MB).toFixed(1)} MB`);
});
