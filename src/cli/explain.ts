/** `receptive explain`: a view inside a checkpoint's model for one image, written as a PNG. */
import { existsSync } from 'node:fs';
import { ArgumentError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { getModelEntry } from '../models/index.js';
import { loadMNIST, normalize, MNIST_MEAN, MNIST_STD } from '../data/index.js';
import { readImage, writePng } from '../data/image-node.js';
import { normalizeImage, resize, IMAGENET_MEAN, IMAGENET_STD } from '../data/image.js';
import { featureMapGrid, featureMaps, moduleAt } from '../viz/inspect.js';
import { gradCam, occlusion, saliency } from '../viz/attribution.js';
import { deconvnet } from '../viz/deconv.js';
import { grid, mapToImage, toRGB } from '../viz/render.js';
import { loadModel } from './commands.js';
import { imageToMnistTensor } from './images.js';

export const EXPLAIN_METHODS = ['featuremaps', 'gradcam', 'occlusion', 'saliency', 'deconvnet'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

/** The image as the model sees it (normalised) and as it is shown ([C, H, W] in [0, 1]). */
function loadInput(input: string, shape: number[], dataDir?: string): { x: Tensor; shown: Tensor } {
  const [, c, h, w] = shape;
  const m = /^mnist:(\d+)$/.exec(input);
  let shown: Tensor;
  if (m) {
    const test = loadMNIST({ dir: dataDir, split: 'test' });
    const i = Number(m[1]);
    if (i >= test.labels.size) throw new ArgumentError('explain', `${input}: the MNIST test set has ${test.labels.size} images (0..${test.labels.size - 1})`);
    shown = new Tensor(test.images.data.slice(i * 784, (i + 1) * 784), [1, 28, 28]);
  } else {
    if (!existsSync(input)) throw new ReceptiveError(`image ${input} does not exist`);
    shown = c === 1 && h === 28 && w === 28 ? new Tensor(imageToMnistTensor(input).tensor.data, [1, 28, 28]) : resize(readImage(input, { channels: c === 1 ? 1 : 3 }), [h, w]);
  }
  const x4 = new Tensor(shown.data, [1, ...shown.shape]);
  const x = c === 1 ? normalize(MNIST_MEAN, MNIST_STD)(x4, new RNG(0)) : normalizeImage(x4, IMAGENET_MEAN, IMAGENET_STD);
  return { x, shown };
}

export interface ExplainOptions {
  method: ExplainMethod;
  out: string;
  layer?: string;
  target?: number;
  window?: number;
  dataDir?: string;
}

export async function runExplain(checkpoint: string, input: string, opts: ExplainOptions): Promise<string> {
  if (!EXPLAIN_METHODS.includes(opts.method)) throw new ArgumentError('explain', `method must be one of ${EXPLAIN_METHODS.join(', ')}, got ${JSON.stringify(opts.method)}`);
  const { model, info } = await loadModel(checkpoint);
  const { x, shown } = loadInput(input, getModelEntry(info.model.name).inputShape, opts.dataDir);
  const [, H, W] = shown.shape;
  const scale = Math.max(1, Math.floor(112 / Math.max(H, W)));
  const img = toRGB(shown, scale);
  const up = (t: Tensor, cmap: 'viridis' | 'RdBu_r' = 'viridis') => mapToImage(resize(t, [H * scale, W * scale], { antialias: false }), { cmap, range: cmap === 'RdBu_r' ? 'symmetric' : 'minmax' });
  const needLayer = () => {
    if (!opts.layer) throw new ArgumentError('explain', `--method ${opts.method} needs --layer <path>; valid paths: ${model.namedModules().map(([p]) => p).filter(Boolean).join(', ')}`);
    moduleAt(model, opts.layer, 'explain');
    return opts.layer;
  };
  let out: Tensor;
  let note: string;
  if (opts.method === 'featuremaps') {
    const layer = needLayer();
    const maps = featureMaps(model, x, { layers: [layer] })[layer];
    out = featureMapGrid(maps, { scale: Math.max(1, Math.floor(56 / Math.max(...maps.shape.slice(-2)))) });
    note = `${layer}: output [${maps.shape.join(', ')}]`;
  } else if (opts.method === 'gradcam') {
    const g = gradCam(model, x, { layer: needLayer(), target: opts.target });
    out = grid([img, up(g.cam)], { labels: ['input', `grad-cam ${g.target}`] });
    note = `target ${g.target}`;
  } else if (opts.method === 'occlusion') {
    const o = occlusion(model, x, { target: opts.target, window: opts.window ?? Math.max(2, Math.round(W / 4)), stride: Math.max(1, Math.round(W / 14)), fill: Math.min(...Array.from(x.data)), layer: opts.layer });
    const cells = [img, up(o.probability)];
    const labels = ['input', `p(${o.target})`];
    if (o.feature) { cells.push(up(o.feature)); labels.push(`feature ${o.channel}`); }
    out = grid(cells, { labels });
    note = `target ${o.target}, clean probability ${o.baseline.toFixed(4)}, lowest with the square ${Math.min(...o.probability.data).toFixed(4)}`;
  } else if (opts.method === 'saliency') {
    const s = saliency(model, x, { target: opts.target });
    out = grid([img, up(s.map)], { labels: ['input', `saliency ${s.target}`] });
    note = `target ${s.target}`;
  } else {
    const d = deconvnet(model, x, { layer: needLayer() });
    const [, c] = d.projection.shape;
    const p = new Tensor(d.projection.data.slice(0, H * W), [H, W]);
    out = grid([img, c === 3 ? toRGB(d.projection, scale) : up(p, 'RdBu_r')], { labels: ['input', `deconv ch ${d.channel}`] });
    note = `channel ${d.channel}, activation ${d.activation.toFixed(4)}`;
  }
  writePng(opts.out, out);
  return `wrote ${opts.out} (${opts.method} of ${input}: ${note})`;
}
