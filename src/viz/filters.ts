/*
 * Hand-crafted filters (the decks' "Hand-crafted Features" and "The Effectiveness
 * of Kernel" slides): each is a conv2d with a fixed kernel, so it is exactly what a
 * first convolution layer computes, cross-correlation with zero padding, output the
 * size of the input. The kernels are exposed as [k, k] tensors.
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { conv2d } from '../ops/conv.js';
import { reshape } from '../ops/shape.js';
import { add, sqrt, square } from '../ops/elementwise.js';

const k3 = (rows: number[][]): Tensor => new Tensor(Float32Array.from(rows.flat()), [rows.length, rows[0].length]);

/** The compass directions, counter-clockwise from north, as the decks list the masks. */
export const COMPASS = ['N', 'NW', 'W', 'SW', 'S', 'SE', 'E', 'NE'] as const;
export type Compass = (typeof COMPASS)[number];

// The outer ring of a 3×3 kernel clockwise from the top-left corner.
const RING = [[0, 0], [0, 1], [0, 2], [1, 2], [2, 2], [2, 1], [2, 0], [1, 0]];

/** The 8 masks of a compass operator: each the previous with its outer ring turned one place (45°). */
function compass(north: number[][]): Record<Compass, Tensor> {
  const out = {} as Record<Compass, Tensor>;
  let m = north.map((r) => r.slice());
  for (const dir of COMPASS) {
    out[dir] = k3(m);
    const next = m.map((r) => r.slice());
    RING.forEach(([i, j], p) => {
      const [si, sj] = RING[(p + 1) % 8];
      next[i][j] = m[si][sj];
    });
    m = next;
  }
  return out;
}

/**
 * Robinson's compass masks as the decks (and tutorialspoint's table) name them:
 * "North" is the Sobel-like [[-1,0,1],[-2,0,2],[-1,0,1]]; the decks print
 * South-West [[2,1,0],[1,0,-1],[0,-1,-2]] and North-East [[-2,-1,0],[-1,0,1],[0,1,2]].
 */
export const ROBINSON: Readonly<Record<Compass, Tensor>> = compass([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]);
/** Kirsch's compass masks: 5s on the three cells facing the direction, −3 elsewhere on the ring. */
export const KIRSCH: Readonly<Record<Compass, Tensor>> = compass([[5, 5, 5], [-3, 0, -3], [-3, -3, -3]]);

/** The named kernels. */
export const KERNELS = {
  /** The decks' edge detector w1, 8 in the centre (minus the 8-neighbour Laplacian). */
  edge: k3([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
  /** The decks' all-ones blur w2, divided by 9 so the result stays in the input's range. */
  blur: k3([[1, 1, 1], [1, 1, 1], [1, 1, 1]].map((r) => r.map((v) => v / 9))),
  /** The decks' "vertical mask": d/dx, responds to vertical edges. */
  sobelX: k3([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
  /** The decks' "horizontal mask": d/dy (y down), responds to horizontal edges. */
  sobelY: k3([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
  prewittX: k3([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
  prewittY: k3([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
  laplacian4: k3([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
  laplacian8: k3([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),
  sharpen: k3([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
} as const;
export type KernelName = keyof typeof KERNELS;

/** A normalised (2r+1)×(2r+1) Gaussian, r = ⌊truncate·σ + 0.5⌋ as scipy.ndimage.gaussian_filter. */
export function gaussianKernel(sigma: number, truncate = 4): Tensor {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new ArgumentError('gaussianKernel', `sigma must be a positive number, got ${sigma}`);
  const r = Math.floor(truncate * sigma + 0.5);
  const g = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp((-0.5 * (i - r) ** 2) / (sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return k3(g.map((a) => g.map((b) => (a * b) / (s * s))));
}

/**
 * Correlate every channel of x ([H, W], [C, H, W] or [N, C, H, W]) with a
 * [kH, kW] kernel (odd sizes), zero padding, same size out. Differentiable.
 */
export function apply(x: Tensor, kernel: Tensor): Tensor {
  if (!(x instanceof Tensor) || x.rank < 2 || x.rank > 4) throw new ShapeError('filters.apply', 'an image [H, W], [C, H, W] or [N, C, H, W]', x instanceof Tensor ? x.shape : []);
  if (!(kernel instanceof Tensor) || kernel.rank !== 2) throw new ShapeError('filters.apply', 'a kernel [kH, kW]', kernel instanceof Tensor ? kernel.shape : []);
  const [kh, kw] = kernel.shape;
  if (kh % 2 === 0 || kw % 2 === 0) throw new ShapeError('filters.apply', 'a kernel of odd height and width (centred)', kernel.shape);
  const [h, w] = x.shape.slice(-2);
  const planes = x.size / (h * w);
  const k = kernel.dtype === x.dtype ? kernel : new Tensor(x.dtype === 'float64' ? Float64Array.from(kernel.data) : Float32Array.from(kernel.data), kernel.shape);
  const y = conv2d(reshape(x, [planes, 1, h, w]), reshape(k, [1, 1, kh, kw]), { padding: [(kh - 1) / 2, (kh - 1) / 2, (kw - 1) / 2, (kw - 1) / 2] });
  return reshape(y, x.shape);
}

export const edge = (x: Tensor): Tensor => apply(x, KERNELS.edge);
export const blur = (x: Tensor): Tensor => apply(x, KERNELS.blur);
export const sobelX = (x: Tensor): Tensor => apply(x, KERNELS.sobelX);
export const sobelY = (x: Tensor): Tensor => apply(x, KERNELS.sobelY);
export const prewittX = (x: Tensor): Tensor => apply(x, KERNELS.prewittX);
export const prewittY = (x: Tensor): Tensor => apply(x, KERNELS.prewittY);
export const laplacian4 = (x: Tensor): Tensor => apply(x, KERNELS.laplacian4);
export const laplacian8 = (x: Tensor): Tensor => apply(x, KERNELS.laplacian8);
export const sharpen = (x: Tensor): Tensor => apply(x, KERNELS.sharpen);
export const gaussian = (x: Tensor, sigma: number, truncate = 4): Tensor => apply(x, gaussianKernel(sigma, truncate));

/** √(sobelX² + sobelY²): the strength of the edge at each pixel. */
export function gradientMagnitude(x: Tensor): Tensor {
  return sqrt(add(square(sobelX(x)), square(sobelY(x))));
}

function direction(op: string, dir: string): Compass {
  if (!(COMPASS as readonly string[]).includes(dir)) throw new ArgumentError(op, `unknown direction ${JSON.stringify(dir)}; expected one of ${COMPASS.join(', ')}`);
  return dir as Compass;
}

export const robinson = (x: Tensor, dir: Compass): Tensor => apply(x, ROBINSON[direction('filters.robinson', dir)]);
export const kirsch = (x: Tensor, dir: Compass): Tensor => apply(x, KIRSCH[direction('filters.kirsch', dir)]);

/** Every filter name the CLI and `byName` accept. */
export const FILTER_NAMES: readonly string[] = [
  ...Object.keys(KERNELS), 'gradientMagnitude', 'gaussian',
  ...COMPASS.map((d) => `robinson${d}`), ...COMPASS.map((d) => `kirsch${d}`),
];

/** The kernel of a filter by name ('sobelX', 'robinsonSW', 'kirschN', 'gaussian' with sigma …). */
export function kernelByName(name: string, sigma = 1): Tensor {
  if (name in KERNELS) return KERNELS[name as KernelName];
  if (name === 'gaussian') return gaussianKernel(sigma);
  const m = /^(robinson|kirsch)(N|NW|W|SW|S|SE|E|NE)$/.exec(name);
  if (m) return (m[1] === 'robinson' ? ROBINSON : KIRSCH)[m[2] as Compass];
  throw new ArgumentError('filters', `unknown filter ${JSON.stringify(name)}; expected one of ${FILTER_NAMES.join(', ')}`);
}

/** Apply a filter by name. */
export function byName(x: Tensor, name: string, sigma = 1): Tensor {
  return name === 'gradientMagnitude' ? gradientMagnitude(x) : apply(x, kernelByName(name, sigma));
}
