/*
 * docs/images/rotation-lenet.svg and rotation-digits.png: a CNN is not rotation
 * invariant. Two LeNet-5s, same seed and steps, one trained with random
 * rotations of up to ±45°, measured on rotated MNIST test digits:
 *   node --conditions=source --import tsx scripts/rotation-figure.ts [steps]
 */
import { writeFileSync } from 'node:fs';
import { RNG, Tensor, manualSeed } from '../src/tensor/index.js';
import { noGrad } from '../src/autograd/index.js';
import { enableWasmBackend } from '../src/backend/wasm/index.js';
import { LeNet5 } from '../src/models/index.js';
import { Adam } from '../src/optim/index.js';
import { CrossEntropyLoss } from '../src/losses/index.js';
import { DataLoader, compose, loadMNIST, normalize, randomRotation, rotate } from '../src/data/index.js';
import { writePng } from '../src/data/image-node.js';
import { fit } from '../src/train/index.js';
import { underRotation } from '../src/viz/invariance.js';
import { lineChartSvg } from '../src/viz/svg.js';
import { grid, toRGB } from '../src/viz/render.js';

await enableWasmBackend();
const OUT = new URL('../docs/images/', import.meta.url).pathname;
const steps = Number(process.argv[2] ?? 600);
const norm = normalize();
const transform = (x: Tensor) => norm(x, new RNG(0));

function train(augment: boolean): LeNet5 {
  manualSeed(1);
  const model = new LeNet5({ rng: new RNG(1) });
  const loader = new DataLoader(loadMNIST({ split: 'train' }).dataset(), { batchSize: 64, shuffle: true, seed: 1, transform: augment ? compose(randomRotation({ degrees: 45 }), norm) : norm });
  fit({ model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), loss: CrossEntropyLoss(), train: loader, epochs: 1, maxSteps: steps });
  model.eval();
  return model;
}

const t0 = Date.now();
const models = { plain: train(false), augmented: train(true) };
const test = loadMNIST({ split: 'test', limit: 2000 });
const images = new Tensor(test.images.data.slice(0, 2000 * 784), [2000, 1, 28, 28]);
const angles = Array.from({ length: 13 }, (_, i) => -90 + 15 * i);
const res = Object.fromEntries(Object.entries(models).map(([k, m]) => [k, underRotation(m, images, test.labels.data, angles, { transform })]));
for (const [k, r] of Object.entries(res)) console.log(`${k}: ${r.map((a) => `${a.degrees}°: ${(100 * a.accuracy).toFixed(1)}% (changed ${(100 * a.changed).toFixed(1)}%)`).join(', ')}`);
writeFileSync(OUT + 'rotation-lenet.svg', lineChartSvg([
  { name: 'trained upright', points: res.plain.map((a) => [a.degrees, 100 * a.accuracy]), markers: true },
  { name: 'trained with ±45° rotations', points: res.augmented.map((a) => [a.degrees, 100 * a.accuracy]), markers: true },
  { name: 'upright: prediction changed', points: res.plain.map((a) => [a.degrees, 100 * a.changed]), dashed: true, colour: '#0072B2' },
  { name: '±45°: prediction changed', points: res.augmented.map((a) => [a.degrees, 100 * a.changed]), dashed: true, colour: '#D55E00' },
], { title: `LeNet-5 on rotated MNIST test digits (${steps} steps each)`, xLabel: 'rotation (degrees, counter-clockwise)', yLabel: '% of 2,000 test digits', width: 560, height: 340, yRange: [0, 100] }));

// One digit turned step by step, with each model's prediction.
const cells: Tensor[] = [];
const labels: string[] = [];
const digit = new Tensor(images.data.slice(0, 784), [1, 1, 28, 28]);
const predict = (m: LeNet5, x: Tensor) => {
  const l = noGrad(() => m.call(transform(x)) as Tensor);
  return [...l.data].indexOf(Math.max(...l.data));
};
for (const deg of [0, 30, 60, 90, 135, 180]) {
  const x = rotate(digit, deg);
  cells.push(toRGB(new Tensor(x.data, [1, 28, 28]), 3));
  labels.push(`${deg}: ${predict(models.plain, x)} / ${predict(models.augmented, x)}`);
}
writePng(OUT + 'rotation-digits.png', grid(cells, { cols: 6, labels }));
console.log(`test digit 0 (label ${test.labels.data[0]}): ${labels.join(', ')} (upright model / augmented model); ${((Date.now() - t0) / 1000).toFixed(0)} s`);
