// Child process of memory.test.ts: trains a small CNN and reports the collected heap at two points.
import { RNG, randn, randint } from '../../src/tensor/index.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, BatchNorm2d } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { crossEntropy } from '../../src/ops/index.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const steps = Number(process.argv[2] ?? 3000);
const rng = new RNG(1);
const model = new Sequential(
  new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, rng }), new BatchNorm2d({ numFeatures: 4 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Flatten(), new Linear({ inFeatures: 4 * 6 * 6, outFeatures: 10, rng }),
);
const opt = new Adam(model.parameters());
const x = randn([16, 1, 12, 12], { rng });
const y = randint(0, 10, [16], { rng });
let early = 0;
let late = 0;
for (let s = 1; s <= steps; s++) {
  opt.zeroGrad();
  crossEntropy(model.call(x), y).backward();
  opt.step();
  if (s === 500 || s === steps) {
    gc();
    gc();
    const used = process.memoryUsage().heapUsed;
    if (s === 500) early = used;
    else late = used;
  }
}
console.log(JSON.stringify({ early, late, steps }));
