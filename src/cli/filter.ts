/** `receptive filter`: a hand-crafted filter (or HOG) applied to an image file, written as a PNG. */
import { readImage, writePng } from '../data/image-node.js';
import { Tensor } from '../tensor/index.js';
import * as filters from '../viz/filters.js';
import { renderHog } from '../viz/hog.js';
import { grid, mapToImage, toRGB } from '../viz/render.js';

// Filters whose output is an image like the input (shown as such); the others give signed responses.
const SMOOTHING = new Set(['blur', 'gaussian', 'sharpen']);

function picture(grey: Tensor, name: string, sigma: number): Tensor {
  if (name === 'hog') return mapToImage(renderHog(grey), { cmap: 'gray' });
  const y = filters.byName(grey, name, sigma);
  if (SMOOTHING.has(name)) return toRGB(y.clamp(0, 1));
  // The scale comes from the interior: the zero padding makes the border a strong edge of its own.
  const m = interiorMax(y);
  if (name === 'gradientMagnitude') return mapToImage(y, { cmap: 'gray', range: [0, m] });
  return mapToImage(y, { cmap: 'RdBu_r', range: [-m, m] });
}

function interiorMax(y: Tensor): number {
  const [h, w] = y.shape.slice(-2);
  let m = 0;
  for (let i = 2; i < h - 2; i++) for (let j = 2; j < w - 2; j++) m = Math.max(m, Math.abs(y.data[i * w + j]));
  return m || 1;
}

export function runFilter(image: string, opts: { kernel: string; out: string; sigma?: number }): string {
  const grey = readImage(image, { channels: 1 });
  const sigma = opts.sigma ?? 1;
  let out: Tensor;
  if (opts.kernel === 'all') {
    const names = ['edge', 'blur', 'sobelX', 'sobelY', 'gradientMagnitude', 'laplacian4', 'gaussian', 'sharpen', ...filters.COMPASS.map((d) => `robinson${d}`), 'kirschN', 'hog'];
    out = grid([toRGB(grey), ...names.map((n) => picture(grey, n, sigma))], { cols: 6, labels: ['input', ...names] });
  } else {
    if (opts.kernel !== 'hog') filters.kernelByName(opts.kernel, sigma); // unknown names fail here, listing the valid ones
    out = picture(grey, opts.kernel, sigma);
  }
  writePng(opts.out, out);
  return `wrote ${opts.out} (${out.shape[2]}x${out.shape[1]}, ${opts.kernel} of ${image})`;
}
