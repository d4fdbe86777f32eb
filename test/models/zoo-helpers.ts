import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RNG, Tensor, randn } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { add, mul, sum } from '../../src/ops/index.js';
import { parseSafetensors } from '../../src/io/index.js';
import type { AnyModule } from '../../src/nn/index.js';
import { assertClose } from '../helpers.js';

/*
 * Shared checks of the zoo tests against torchvision: the committed key lists
 * (test/fixtures/torchvision/models.json, written by scripts/torchvision_reference.py)
 * and, where torch is installed, logits of seeded torchvision weights.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Entry {
  params: number;
  macs224: number;
  weightLayersLongestPath: number;
  keys: [string, number[], string, 'param' | 'buffer'][];
}

let models: Record<string, Entry> | null = null;
export function torchvisionEntry(id: string): Entry {
  models ??= (JSON.parse(readFileSync(join(ROOT, 'test/fixtures/torchvision/models.json'), 'utf8')) as { models: Record<string, Entry> }).models;
  const e = models[id];
  assert.ok(e, `models.json has no ${id}`);
  return e;
}

/** State-dict keys in order, with shapes and param/buffer, equal to torchvision's. */
export function assertTorchvisionKeys(model: AnyModule, id: string): void {
  const params = new Set(model.namedParameters().map(([k]) => k));
  const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape], params.has(k) ? 'param' : 'buffer']);
  const theirs = torchvisionEntry(id).keys.map(([k, shape, , kind]) => [k, shape, kind]);
  assert.deepEqual(ours, theirs, `${id}: state_dict keys, shapes and kinds`);
}

export const paramCount = (m: AnyModule): number => m.parameters().reduce((s, p) => s + p.size, 0);

/** The python that has torch (Debian's, which a pyenv python3 on PATH may hide). */
function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/**
 * Run the reference script's --parity mode for one model into a temp dir, load
 * its state dict into `model` (strict) and compare eval-mode logits and blocks.
 * Returns false (caller skips) when torch is not installed.
 */
export function torchvisionParity(model: AnyModule, id: string, blocks: string[], tol = { atol: 2e-4, rtol: 2e-3 }): boolean {
  const py = torchPython();
  if (!py) return false;
  const dir = mkdtempSync(join(tmpdir(), `receptive-${id}-`));
  try {
    const r = spawnSync(py, [join(ROOT, 'scripts/torchvision_reference.py'), '--parity', dir, id], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sd = parseSafetensors(new Uint8Array(readFileSync(join(dir, `${id}.safetensors`))), `${id}.safetensors`).tensors;
    model.loadStateDict(sd);
    const io = parseSafetensors(new Uint8Array(readFileSync(join(dir, `${id}.io.safetensors`))), `${id}.io.safetensors`).tensors;
    const seen: Record<string, Tensor> = {};
    const handles = blocks.map((b) => (model as unknown as Record<string, AnyModule>)[b].registerForwardHook((_m, _i, out) => {
      seen[b] = out as Tensor;
    }));
    model.eval();
    const logits = noGrad(() => model.call(io.input)) as Tensor;
    for (const h of handles) h.remove();
    for (const b of blocks) assertClose(seen[b], io[b], tol, `${id} ${b}`);
    assertClose(logits, io.logits, tol, `${id} logits`);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One forward and backward at a small input: every parameter gets a finite gradient of its own shape, and some are non-zero. */
export function assertForwardBackward(model: AnyModule, shape: number[], outputs: (y: unknown) => Tensor[]): Tensor[] {
  model.train();
  model.zeroGrad();
  const x = randn(shape, { rng: new RNG(5) });
  x.requiresGrad = true;
  const ys = outputs(model.call(x));
  // A random weighting of the outputs: a plain sum can have a zero gradient through batch norm.
  const r = new RNG(6);
  let loss = sum(mul(ys[0], randn(ys[0].shape, { rng: r })));
  for (const y of ys.slice(1)) loss = add(loss, sum(mul(y, randn(y.shape, { rng: r }))));
  loss.backward();
  let nonZero = 0;
  for (const [name, p] of model.namedParameters()) {
    assert.ok(p.grad, `${name} has no gradient`);
    assert.deepEqual([...p.grad!.shape], [...p.shape], name);
    // (A VGG has 130M gradient values: no assertion call, and no message built, per element.)
    const g = p.grad!.data;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (!Number.isFinite(v)) assert.fail(`${name}: gradient ${v} at ${i}`);
      if (v !== 0) nonZero++;
    }
  }
  assert.ok(nonZero > 0, 'all gradients are zero');
  assert.ok(x.grad && x.grad.data.some((v) => v !== 0), 'no gradient reaches the input');
  return ys;
}
