// Time per kernel of one training step (forward, backward, Adam) of a small
// CIFAR-size CNN with every kind of layer a classic CNN uses (3×3 convolutions,
// batch norm, ReLU, LRN, max pooling, dropout, linear), on the wasm backend:
// node --conditions=source --import tsx bench/tools/train-ops.ts [threads] [steps] [cnn|lenet|resnet18]
// (resnet18: torchvision's ResNet-18 at 32×32, batch 32, SGD momentum 0.9, as the bench's resnet18train)
import { Tensor, RNG, randn } from '../../src/tensor/index.js';
import { enableWasmBackend, setNumThreads, wasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { Sequential } from '../../src/nn/index.js';
import { Conv2d } from '../../src/nn/layers/conv.js';
import { BatchNorm2d, Dropout, LocalResponseNorm } from '../../src/nn/layers/norm.js';
import { ReLU } from '../../src/nn/layers/activation.js';
import { MaxPool2d } from '../../src/nn/layers/pool.js';
import { Flatten, Linear } from '../../src/nn/layers/linear.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import { resnet18 } from '../models.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { backward } from '../../src/autograd/index.js';
import { LeNet5 } from '../../src/models/lenet.js';

const [thr = '1', stepsArg = '10', which = 'cnn'] = process.argv.slice(2);
const acc = new Map<string, number>();
// Time every kernel call, whichever backend runs it (a kernel the wasm backend lacks runs the reference one).
const wrap = (table: Record<string, (...a: unknown[]) => unknown>, tag: string) => {
  for (const name of Object.keys(table)) {
    const f = table[name];
    table[name] = (...a: unknown[]) => {
      const t = performance.now();
      const r = f(...a);
      const op = (a[a.length - 1] as { op?: string })?.op;
      const key = `${name}${op ? ':' + op : ''} (${tag})`;
      acc.set(key, (acc.get(key) ?? 0) + performance.now() - t);
      return r;
    };
  }
};
wrap(wasmBackend.kernels as Record<string, (...a: unknown[]) => unknown>, 'wasm');
wrap(referenceBackend.kernels as unknown as Record<string, (...a: unknown[]) => unknown>, 'reference');
await enableWasmBackend();
setNumThreads(Number(thr));
const rng = new RNG(1);
const lenet = which === 'lenet';
const resnet = which === 'resnet18';
const B = lenet ? 64 : 32;
const model = lenet ? new LeNet5({ rng }) : resnet ? resnet18(10, rng) : new Sequential(
  new Conv2d({ inChannels: 3, outChannels: 32, kernelSize: 3, padding: 1 }), new BatchNorm2d({ numFeatures: 32 }), new ReLU(),
  new Conv2d({ inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1 }), new BatchNorm2d({ numFeatures: 32 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1 }), new BatchNorm2d({ numFeatures: 64 }), new ReLU(), new LocalResponseNorm({ size: 5 }), new MaxPool2d({ kernelSize: 2 }),
  new Flatten(), new Linear({ inFeatures: 64 * 8 * 8, outFeatures: 256 }), new ReLU(), new Dropout({ p: 0.5 }), new Linear({ inFeatures: 256, outFeatures: 10 }),
);
const opt = resnet ? new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }) : new Adam(model.parameters(), { lr: 1e-3 });
let optMs = 0;
const x = randn(lenet ? [B, 1, 28, 28] : [B, 3, 32, 32], { rng });
const y = new Tensor(Int32Array.from({ length: B }, (_, i) => i % 10), [B]);
const step = () => {
  opt.zeroGrad();
  backward(crossEntropy(model.call(x), y));
  const t = performance.now();
  opt.step();
  optMs += performance.now() - t;
};
for (let i = 0; i < 3; i++) step();
acc.clear();
optMs = 0;
const steps = Number(stepsArg);
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const ms = (performance.now() - t0) / steps;
let kernels = 0;
for (const v of acc.values()) kernels += v / steps;
console.log(`${lenet ? 'LeNet-5' : resnet ? 'ResNet-18 32×32' : 'CNN'} training step, batch ${B}, ${thr} thr: ${ms.toFixed(1)} ms (${((B * 1000) / ms).toFixed(0)} images/s); kernels ${kernels.toFixed(1)} ms, the rest (autograd, optimiser, JS) ${(ms - kernels).toFixed(1)} ms; opt.step() ${(optMs / steps).toFixed(1)} ms`);
for (const [k, v] of [...acc.entries()].sort((p, q) => q[1] - p[1]).slice(0, 20)) console.log(`  ${k}: ${(v / steps).toFixed(2)} ms`);
process.exit(0);
