/*
 * The views inside a trained checkpoint for docs/understanding.md, from real
 * runs, for MNIST or Fashion-MNIST (the dataset the checkpoint records):
 *   node --conditions=source --import tsx scripts/understanding-views.ts <checkpoint> <prefix> [views...]
 * views: kernels maps explain top9 curves (default all); files docs/images/<prefix>-*.png|svg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Tensor, RNG } from '../src/tensor/index.js';
import { normalize, MNIST_MEAN, MNIST_STD } from '../src/data/index.js';
import { writePng } from '../src/data/image-node.js';
import { resize } from '../src/data/image.js';
import { grid, mapToImage, toRGB } from '../src/viz/render.js';
import { featureMaps, featureMapGrid, kernelImages } from '../src/viz/inspect.js';
import { gradCam, occlusion, saliency } from '../src/viz/attribution.js';
import { deconvnet, guidedBackprop } from '../src/viz/deconv.js';
import { topPatchesFigure } from '../src/viz/patches.js';
import { parseMetricsLog, trainingCurvesSvg } from '../src/viz/curves.js';
import { loadModel } from '../src/cli/commands.js';
import { checkpointData, loadSplit } from '../src/cli/setup.js';
import type { Conv2d } from '../src/nn/index.js';

const OUT = new URL('../docs/images/', import.meta.url).pathname;
const [ckpt, prefix, ...only] = process.argv.slice(2);
const want = (v: string) => only.length === 0 || only.includes(v);
const { model, info } = await loadModel(ckpt);
const data = checkpointData(info, {}, 'views');
const test = loadSplit(data, 'test', 2000);
const names = test.classNames;
const norm = normalize(MNIST_MEAN, MNIST_STD);
const raw = new Tensor(Float32Array.from(test.raw.subarray(0, 2000 * 784), (v) => v / 255), [2000, 1, 28, 28]);
const digit = (i: number) => new Tensor(raw.data.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
const transform = (x: Tensor) => norm(x, new RNG(0));
const shown = (i: number, s = 4) => toRGB(new Tensor(digit(i).data, [1, 28, 28]), s);
const short = (i: number) => names[i].split(/[ /]/)[0].toLowerCase();

if (want('kernels')) {
  const [c1, , , c3] = (model as unknown as { features: { children(): unknown[] } }).features.children() as Conv2d[];
  writePng(`${OUT}${prefix}-c1-kernels.png`, kernelImages(c1, { scale: 8 }));
  writePng(`${OUT}${prefix}-c3-kernels.png`, kernelImages(c3, { scale: 4 }));
}

if (want('maps')) {
  const maps = featureMaps(model, transform(digit(0)), { layers: ['features.1', 'features.4'] });
  writePng(`${OUT}${prefix}-feature-maps.png`, grid([
    shown(0),
    featureMapGrid(maps['features.1'], { scale: 4, cols: 6 }),
    featureMapGrid(maps['features.4'], { scale: 8, cols: 8 }),
  ], { cols: 1, labels: [`test image 0: ${short(test.labels.data[0])}`, 'c1 after relu: 6@28x28', 'c3 after relu: 16@10x10'] }));
}

if (want('explain')) {
  // Grad-CAM at C3 after ReLU; occlusion with a 6×6 square of background, stride 2.
  const up = (t: Tensor, cmap: 'viridis' | 'RdBu_r' = 'viridis') => mapToImage(resize(t, [112, 112], { antialias: false }), { cmap, range: cmap === 'RdBu_r' ? 'symmetric' : 'minmax' });
  const rows: Tensor[] = [];
  const labels: string[] = [];
  const fill = (0 - MNIST_MEAN) / MNIST_STD;
  for (const i of [0, 1, 2, 3, 4]) {
    const x = transform(digit(i));
    const g = gradCam(model, x, { layer: 'features.4' });
    const o = occlusion(model, x, { window: 6, stride: 2, fill });
    const s = saliency(model, x, { method: 'smoothGrad', samples: 20, rng: new RNG(i) });
    const d = deconvnet(model, x, { layer: 'features.4' });
    const gb = guidedBackprop(model, x);
    rows.push(shown(i), up(g.upsampled), up(o.probability), up(s.map), up(new Tensor(d.projection.data, [28, 28]), 'RdBu_r'), up(new Tensor(gb.projection.data, [28, 28]), 'RdBu_r'));
    labels.push(`label ${short(test.labels.data[i])}`, `gradcam ${short(g.target)}`, `occlusion p(${short(o.target)})`, 'smoothgrad', `deconv c3 ch ${d.channel}`, 'guided bp');
  }
  writePng(`${OUT}${prefix}-explain.png`, grid(rows, { cols: 6, labels }));
}

if (want('top9')) {
  // Zeiler–Fergus fig. 2 for two C1 and two C3 feature maps over the first 2,000 test images.
  const figs = [['features.1', 0], ['features.1', 3], ['features.4', 2], ['features.4', 9]] as const;
  const cells: Tensor[] = [];
  const labels: string[] = [];
  for (const [layer, channel] of figs) {
    const f = topPatchesFigure(model, raw, { layer, channel, transform });
    cells.push(f.figure);
    labels.push(`${layer === 'features.1' ? 'c1' : 'c3'} channel ${channel}, rf ${f.extent.rf[0]}x${f.extent.rf[1]}`);
    console.log(`${layer} channel ${channel}: top-9 test images ${f.patches.map((p) => `#${p.index} (${names[test.labels.data[p.index]]}) ${p.activation.toFixed(2)}`).join(', ')}`);
  }
  writePng(`${OUT}${prefix}-top9.png`, grid(cells, { cols: 2, labels, fontScale: 2 }));
}

if (want('curves')) {
  const log = (info.training?.settings as { log?: string } | undefined)?.log;
  if (!log) throw new Error(`${ckpt} was trained without --log`);
  writeFileSync(`${OUT}${prefix}-curves.svg`, trainingCurvesSvg(parseMetricsLog(readFileSync(log, 'utf8'), log), { title: `LeNet-5 on ${data.dataset}` }));
}
