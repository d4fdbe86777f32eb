import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RNG } from '../../src/tensor/index.js';
import { readCheckpoint } from '../../src/train/checkpoint-node.js';

test('saving is atomic: a process killed at random points while saving leaves a checkpoint that loads as one whole version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-ckpt-kill-'));
  const target = join(dir, 'checkpoint.safetensors');
  const script = fileURLToPath(new URL('./checkpoint-writer.ts', import.meta.url));
  const rng = new RNG(11);
  for (let run = 0; run < 8; run++) {
    const child = spawn(process.execPath, ['--import', 'tsx', script, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    await new Promise((res) => setTimeout(res, rng.int(0, 300)));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const { tensors, info } = readCheckpoint(target);
    const step = info.training!.step;
    for (const [k, t] of Object.entries(tensors)) assert.ok(t.data.every((v) => v === step), `${k} mixes versions (step ${step})`);
  }
});
