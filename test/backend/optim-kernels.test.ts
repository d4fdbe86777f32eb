import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RNG } from '../../src/tensor/index.js';
import { kernel, setBackend, withBackend, type OptimizerRule, type OptimizerState } from '../../src/backend/index.js';
import { enableWasmBackend, getNumThreads, setNumThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { Tensor } from '../../src/tensor/index.js';
import { untilPoolPosts, untilWorkersJoin } from '../helpers.js';

/*
 * The wasm OptimizerStep against the reference loops: the kernels compute in
 * float64 in the reference's order, so parameter and state must agree bit for
 * bit, over several steps, for every variant, at lengths that end mid-vector and
 * mid-block, and for any thread count.
 */

const rng = new RNG(77);
const randArr = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.random() * 2 - 1) * scale);

before(async () => {
  assert.equal(await enableWasmBackend(), true);
});
after(async () => {
  await setBackend('reference');
});

type Case = { name: string; bufs: (keyof OptimizerState)[]; rule: (step: number) => OptimizerRule };
const CASES: Case[] = [
  { name: 'sgd plain', bufs: [], rule: () => ({ rule: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, first: false }) },
  { name: 'sgd momentum + decay', bufs: ['momentum'], rule: (t) => ({ rule: 'sgd', lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 5e-4, first: t === 1 }) },
  { name: 'sgd nesterov + dampening', bufs: ['momentum'], rule: (t) => ({ rule: 'sgd', lr: 0.05, momentum: 0.8, dampening: 0.1, nesterov: true, weightDecay: 1e-3, first: t === 1 }) },
  { name: 'adam', bufs: ['expAvg', 'expAvgSq'], rule: (t) => ({ rule: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: t }) },
  { name: 'adam L2 + amsgrad', bufs: ['expAvg', 'expAvgSq', 'maxExpAvgSq'], rule: (t) => ({ rule: 'adam', lr: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2, decoupled: false, step: t }) },
  { name: 'adamw', bufs: ['expAvg', 'expAvgSq'], rule: (t) => ({ rule: 'adam', lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: t }) },
  { name: 'rmsprop', bufs: ['squareAvg'], rule: () => ({ rule: 'rmsprop', lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, weightDecay: 0 }) },
  { name: 'rmsprop centred + momentum + decay', bufs: ['squareAvg', 'gradAvg', 'momentum'], rule: () => ({ rule: 'rmsprop', lr: 1e-2, alpha: 0.9, eps: 1e-6, momentum: 0.9, weightDecay: 1e-3 }) },
];

/** Three steps of one case from the same start, on the active backend; the parameter and state after each. */
function steps(c: Case, n: number, seedW: Float32Array, grads: Float32Array[], backend: string): Float32Array[] {
  const w = seedW.slice();
  const state: OptimizerState = Object.fromEntries(c.bufs.map((b) => [b, new Float32Array(n)]));
  const out: Float32Array[] = [];
  withBackend(backend, () => {
    grads.forEach((g, i) => {
      kernel('OptimizerStep')(w, g, state, c.rule(i + 1));
      out.push(w.slice(), ...c.bufs.map((b) => (state[b] as Float32Array).slice()));
    });
  });
  return out;
}

for (const c of CASES) {
  test(`OptimizerStep ${c.name}: wasm = reference bit for bit`, () => {
    for (const n of [1, 2, 7, 4096, 4096 * 3 + 5]) {
      const w0 = randArr(n);
      const grads = [randArr(n, 0.5), randArr(n, 2), randArr(n, 1e-3)];
      const want = steps(c, n, w0, grads, 'reference');
      const got = steps(c, n, w0, grads, 'wasm');
      for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `${c.name}, n = ${n}, array ${i}`);
      // The update moved every parameter (a kernel that did nothing would fail here).
      assert.ok(want[0].some((v, i) => v !== w0[i]));
    }
  });
}

test('OptimizerStep: float64 parameters run the reference loops on the wasm backend', () => {
  const w = Float64Array.from(randArr(9));
  const g = Float64Array.from(randArr(9));
  const w2 = w.slice();
  const rule: OptimizerRule = { rule: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, first: false };
  withBackend('wasm', () => kernel('OptimizerStep')(w, g, {}, rule));
  for (let i = 0; i < 9; i++) w2[i] -= 0.1 * g[i];
  assert.deepEqual(w, w2);
});

test('OptimizerStep: a missing or short state buffer is an ArgumentError naming it', () => {
  const rule: OptimizerRule = { rule: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 };
  for (const backend of ['reference', 'wasm']) {
    assert.throws(() => withBackend(backend, () => kernel('OptimizerStep')(new Float32Array(4), new Float32Array(4), { expAvg: new Float32Array(4) }, rule)), /OptimizerStep.*"expAvgSq".*4 values, got none/);
    assert.throws(() => withBackend(backend, () => kernel('OptimizerStep')(new Float32Array(4), new Float32Array(3), {}, rule)), /OptimizerStep.*gradient has 3 values, the parameter 4/);
  }
});

test('optimisers on the wasm backend: 1, 2 and 3 threads give the same parameters and state as the reference', async () => {
  // 300,000 parameters: large enough for the pool to take part in every update.
  const n = 300_000;
  const w0 = randArr(n);
  const grads = [randArr(n), randArr(n, 0.1)];
  const make = (w: Tensor) => [
    new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
    new Adam([w], { lr: 1e-3, amsgrad: true, weightDecay: 1e-3 }),
    new AdamW([w], { lr: 1e-3 }),
    new RMSprop([w], { lr: 1e-3, centered: true, momentum: 0.5 }),
  ];
  const run = (backend: string) => withBackend(backend, () => make(new Tensor(w0.slice(), [n])).map((opt) => {
    const p = opt.params[0];
    for (const g of grads) {
      p.grad = new Tensor(g, [n]);
      opt.step();
    }
    return [p.data.slice() as Float32Array, ...opt.stateDict().state.flatMap((s) => Object.values(s).filter((v): v is number[] => Array.isArray(v)).map((v) => Float32Array.from(v)))];
  }).flat());
  const want = run('reference');
  const before = getNumThreads();
  try {
    for (const k of [1, 2, 3]) {
      setNumThreads(k);
      const joined = wasmInfo()!.joinedJobs;
      const check = () => {
        const got = run('wasm');
        for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `array ${i} with ${k} threads`);
      };
      check();
      if (k > 1) {
        await untilPoolPosts(`with ${k} threads the updates`, check);
        await untilWorkersJoin(joined, () => {
          const again = run('wasm');
          for (let i = 0; i < want.length; i++) assert.deepEqual(again[i], want[i], `array ${i} with ${k} threads, again`);
        });
      }
    }
  } finally {
    setNumThreads(before);
  }
});
