import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./memory-run.ts', import.meta.url));

test('memory stays flat: 3,000 training steps grow the collected heap by less than 2 MB, with no dispose calls', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT, '3000'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const { early, late, steps } = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(steps, 3000);
  const growth = late - early;
  assert.ok(growth < 2 * 1024 * 1024, `heap after GC grew by ${(growth / 1024).toFixed(0)} KB between step 500 and step 3000`);
});
