/*
 * The pictures of docs/understanding.md, from real runs, and the occlusion
 * measurement it states. Run after training a LeNet-5:
 *   node --conditions=source --import tsx scripts/understanding-figures.ts runs/lenet5/checkpoint.safetensors [n]
 */
import { Tensor, RNG } from '../src/tensor/index.js';
import { loadMNIST, normalize, MNIST_MEAN, MNIST_STD } from '../src/data/index.js';
import { readImage, writePng } from '../src/data/image-node.js';
import { resize } from '../src/data/image.js';
import * as filters from '../src/viz/filters.js';
import { renderHog } from '../src/viz/hog.js';
import { grid, mapToImage, toRGB } from '../src/viz/render.js';
import { featureMaps, featureMapGrid, kernelImages } from '../src/viz/inspect.js';
import { gradCam, occlusion, saliency } from '../src/viz/attribution.js';
import { deconvnet, guidedBackprop } from '../src/viz/deconv.js';
import { loadModel } from '../src/cli/commands.js';
import type { Conv2d } from '../src/nn/index.js';

const OUT = new URL('../docs/images/', import.meta.url).pathname;
const [ckpt, nArg] = process.argv.slice(2);
const N = Number(nArg ?? 200);

function interior(y: Tensor): number {
  const [h, w] = y.shape.slice(-2);
  let m = 0;
  for (let i = 2; i < h - 2; i++) for (let j = 2; j < w - 2; j++) m = Math.max(m, Math.abs(y.data[i * w + j]));
  return m || 1;
}

// 1. The decks' kernels on a real photo (scikit-image's camera, CC0).
const photo = readImage(OUT + 'camera-256.png', { channels: 1 });
const names = ['edge', 'blur', 'sobelX', 'sobelY', 'gradientMagnitude', 'robinsonSW', 'robinsonNE', 'kirschN', 'laplacian4'];
const small = resize(photo, [176, 176]); // keeps the docs' PNG small
const cells = [toRGB(small), ...names.map((n) => {
  const y = filters.byName(small, n);
  if (n === 'blur') return toRGB(y.clamp(0, 1));
  const m = interior(y);
  return n === 'gradientMagnitude' ? mapToImage(y, { cmap: 'gray', range: [0, m] }) : mapToImage(y, { cmap: 'RdBu_r', range: [-m, m] });
})];
writePng(OUT + 'kernels-on-camera.png', grid(cells, { cols: 5, labels: ['input', ...names], fontScale: 2 }));

// 2. HOG: the cell histograms drawn as skimage does.
const h = renderHog(photo, { orientations: 9, pixelsPerCell: 8 });
writePng(OUT + 'hog-camera.png', grid([toRGB(photo), mapToImage(h, { cmap: 'gray' })], { labels: ['input', 'hog 9 bins, 8x8 cells'], fontScale: 2 }));

// 3. LeNet-5's kernels and feature maps.
const { model } = await loadModel(ckpt);
const test = loadMNIST({ split: 'test' });
const norm = normalize(MNIST_MEAN, MNIST_STD);
const digit = (i: number) => new Tensor(test.images.data.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
const input = (i: number) => norm(digit(i), new RNG(0));
const [c1, , , c3] = (model as unknown as { features: { children(): unknown[] } }).features.children() as Conv2d[];
writePng(OUT + 'lenet-c1-kernels.png', kernelImages(c1, { scale: 8 }));
writePng(OUT + 'lenet-c3-kernels.png', kernelImages(c3, { scale: 4 }));
const maps = featureMaps(model, input(0), { layers: ['features.1', 'features.4'] });
writePng(OUT + 'lenet-feature-maps.png', grid([
  toRGB(new Tensor(digit(0).data, [1, 28, 28]), 4),
  featureMapGrid(maps['features.1'], { scale: 4, cols: 6 }),
  featureMapGrid(maps['features.4'], { scale: 8, cols: 8 }),
], { cols: 1, labels: ['test digit 0', 'c1 after relu: 6@28x28', 'c3 after relu: 16@10x10'] }));

// 4. Grad-CAM, occlusion, saliency, deconvnet and guided backprop on test digits.
const up = (t: Tensor, cmap: 'viridis' | 'RdBu_r' = 'viridis') => mapToImage(resize(t, [112, 112], { antialias: false }), { cmap, range: cmap === 'RdBu_r' ? 'symmetric' : 'minmax' });
const rows: Tensor[] = [];
const labels: string[] = [];
const fill = (0 - MNIST_MEAN) / MNIST_STD; // the background, normalised
for (const i of [0, 1, 2, 3, 4]) {
  const x = input(i);
  const g = gradCam(model, x, { layer: 'features.4' });
  const o = occlusion(model, x, { window: 6, stride: 2, fill });
  const s = saliency(model, x, { method: 'smoothGrad', samples: 20, rng: new RNG(i) });
  const d = deconvnet(model, x, { layer: 'features.4' });
  const gb = guidedBackprop(model, x);
  rows.push(toRGB(new Tensor(digit(i).data, [1, 28, 28]), 4), up(g.upsampled), up(o.probability), up(s.map), up(new Tensor(d.projection.data, [28, 28]), 'RdBu_r'), up(new Tensor(gb.projection.data, [28, 28]), 'RdBu_r'));
  labels.push(`label ${test.labels.data[i]}`, `gradcam ${g.target}`, `occlusion p(${o.target})`, 'smoothgrad', `deconv c3 ch ${d.channel}`, 'guided bp');
}
writePng(OUT + 'lenet-explain.png', grid(rows, { cols: 6, labels }));

// 5. How often does occlusion's most sensitive window lie on the strokes?
let onStroke = 0;
let randomOnStroke = 0;
let positions = 0;
const rng = new RNG(1);
const t0 = Date.now();
for (let i = 0; i < N; i++) { // n = 0 skips the measurement (pictures only)
  const x = input(i);
  const o = occlusion(model, x, { target: test.labels.data[i], window: 6, stride: 2, fill });
  const raw = digit(i).data;
  const strokeIn = (y: number, q: number) => {
    for (let r = y; r < y + 6; r++) for (let c = q; c < q + 6; c++) if (raw[r * 28 + c] >= 0.5) return true;
    return false;
  };
  let k = 0;
  for (let j = 1; j < o.probability.size; j++) if (o.probability.data[j] < o.probability.data[k]) k = j;
  if (strokeIn(o.ys[Math.floor(k / o.xs.length)], o.xs[k % o.xs.length])) onStroke++;
  const rk = rng.int(0, o.probability.size);
  if (strokeIn(o.ys[Math.floor(rk / o.xs.length)], o.xs[rk % o.xs.length])) randomOnStroke++;
  positions = o.probability.size;
}
console.log(`occlusion (6x6 window of background, stride 2, ${positions} positions) on the first ${N} test images: ` +
  `most sensitive window covers a stroke pixel (>= 0.5) in ${onStroke}/${N} = ${((100 * onStroke) / N).toFixed(1)}%; ` +
  `a random window does in ${randomOnStroke}/${N} = ${((100 * randomOnStroke) / N).toFixed(1)}% (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
