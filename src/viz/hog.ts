/*
 * Histograms of Oriented Gradients (Dalal & Triggs 2005; the decks' "Hand-crafted
 * Features – HOG"), computed as skimage.feature.hog does, step for step, so the
 * feature vectors agree element for element: central-difference gradients (zero
 * on the border rows/columns), unsigned orientations in [0°, 180°) voted whole
 * (no interpolation) into cell histograms of mean magnitude, then overlapping
 * blocks of cells normalised. The defaults are Dalal and Triggs's (9 orientations,
 * 8×8 cells, 2×2 blocks, L2-Hys): a 64×128 window gives 7·15·2·2·9 = 3,780 values.
 * (scikit-image's own default is 3×3 cells a block.)
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';

export type BlockNorm = 'L1' | 'L1-sqrt' | 'L2' | 'L2-Hys';

export interface HogOptions {
  orientations?: number;
  /** [rows, cols] of pixels per cell (or one number). Default [8, 8]. */
  pixelsPerCell?: number | readonly [number, number];
  /** [rows, cols] of cells per block (or one number). Default [2, 2]. */
  cellsPerBlock?: number | readonly [number, number];
  blockNorm?: BlockNorm;
}

const NORMS: readonly BlockNorm[] = ['L1', 'L1-sqrt', 'L2', 'L2-Hys'];

function pairOf(name: string, v: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  const p: readonly unknown[] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || !p.every((n) => Number.isInteger(n) && (n as number) >= 1)) throw new ArgumentError('hog', `${name} must be a positive integer or [rows, cols], got ${JSON.stringify(v)}`);
  return [p[0] as number, p[1] as number];
}

function greyPlane(op: string, image: Tensor): [number, number] {
  if (!(image instanceof Tensor)) throw new ArgumentError(op, 'expected a grey image tensor [H, W] or [1, H, W]');
  const s = image.rank === 3 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  if (s.length !== 2) throw new ShapeError(op, 'a grey image [H, W] or [1, H, W] (convert colour images to grey first)', image.shape);
  return [s[0], s[1]];
}

/** Python's float modulo (the result takes the divisor's sign), as numpy's `% 180`. */
function pyMod(a: number, b: number): number {
  const m = a % b;
  return m === 0 ? 0 : m < 0 !== b < 0 ? m + b : m;
}

export interface CellHistograms {
  /** [cellsRow, cellsCol, orientations], row-major, float64. */
  histograms: Float64Array;
  cellsRow: number;
  cellsCol: number;
  orientations: number;
}

/** The cell histograms (skimage's orientation_histogram): mean gradient magnitude per orientation bin. */
export function hogHistograms(image: Tensor, orientations = 9, pixelsPerCell: number | readonly [number, number] = 8): CellHistograms {
  const [h, w] = greyPlane('hog', image);
  if (!Number.isInteger(orientations) || orientations < 1) throw new ArgumentError('hog', `orientations must be a positive integer, got ${orientations}`);
  const [cr, cc] = pairOf('pixelsPerCell', pixelsPerCell, 8);
  const x = image.data;
  const mag = new Float64Array(h * w);
  const ori = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const gr = i > 0 && i < h - 1 ? x[(i + 1) * w + j] - x[(i - 1) * w + j] : 0;
      const gc = j > 0 && j < w - 1 ? x[i * w + j + 1] - x[i * w + j - 1] : 0;
      mag[i * w + j] = Math.hypot(gc, gr);
      ori[i * w + j] = pyMod(Math.atan2(gr, gc) * (180 / Math.PI), 180);
    }
  }
  const cellsRow = Math.floor(h / cr);
  const cellsCol = Math.floor(w / cc);
  const hist = new Float64Array(cellsRow * cellsCol * orientations);
  const perBin = 180 / orientations;
  for (let o = 0; o < orientations; o++) {
    const end = perBin * o; // bin o holds [end, start), as skimage names them
    const start = perBin * (o + 1);
    for (let r = 0; r < cellsRow; r++) {
      for (let c = 0; c < cellsCol; c++) {
        // skimage sums in C float (32-bit), then divides by the cell size in float.
        let total = 0;
        for (let i = r * cr; i < (r + 1) * cr; i++) {
          for (let j = c * cc; j < (c + 1) * cc; j++) {
            const a = ori[i * w + j];
            if (a >= start || a < end) continue;
            total = Math.fround(total + mag[i * w + j]);
          }
        }
        hist[(r * cellsCol + c) * orientations + o] = Math.fround(total / (cr * cc));
      }
    }
  }
  return { histograms: hist, cellsRow, cellsCol, orientations };
}

function normalizeBlock(block: Float64Array, method: BlockNorm): void {
  const eps = 1e-5;
  let l1 = 0;
  let l2 = 0;
  for (const v of block) { l1 += Math.abs(v); l2 += v * v; }
  if (method === 'L1' || method === 'L1-sqrt') {
    for (let i = 0; i < block.length; i++) block[i] = method === 'L1' ? block[i] / (l1 + eps) : Math.sqrt(block[i] / (l1 + eps));
    return;
  }
  let n = Math.sqrt(l2 + eps * eps);
  for (let i = 0; i < block.length; i++) block[i] /= n;
  if (method === 'L2') return;
  // L2-Hys: clip at 0.2 and renormalise (Lowe's SIFT rule).
  l2 = 0;
  for (let i = 0; i < block.length; i++) { block[i] = Math.min(block[i], 0.2); l2 += block[i] * block[i]; }
  n = Math.sqrt(l2 + eps * eps);
  for (let i = 0; i < block.length; i++) block[i] /= n;
}

/**
 * The HOG feature vector of a grey image, in skimage's order
 * (blockRow, blockCol, cellRow, cellCol, orientation), float64.
 */
export function hog(image: Tensor, opts: HogOptions = {}): Tensor {
  const orientations = opts.orientations ?? 9;
  const [br, bc] = pairOf('cellsPerBlock', opts.cellsPerBlock, 2);
  const method = opts.blockNorm ?? 'L2-Hys';
  if (!NORMS.includes(method)) throw new ArgumentError('hog', `blockNorm must be one of ${NORMS.join(', ')}, got ${JSON.stringify(method)}`);
  const { histograms, cellsRow, cellsCol } = hogHistograms(image, orientations, opts.pixelsPerCell ?? 8);
  const nbr = cellsRow - br + 1;
  const nbc = cellsCol - bc + 1;
  if (nbr < 1 || nbc < 1) {
    const [pr, pc] = pairOf('pixelsPerCell', opts.pixelsPerCell, 8);
    throw new ShapeError('hog', `an image of at least ${br * pr}x${bc * pc} pixels (one block of ${br}x${bc} cells of ${pr}x${pc})`, image.shape);
  }
  const blockLen = br * bc * orientations;
  const out = new Float64Array(nbr * nbc * blockLen);
  const block = new Float64Array(blockLen);
  for (let r = 0; r < nbr; r++) {
    for (let c = 0; c < nbc; c++) {
      let k = 0;
      for (let i = 0; i < br; i++) for (let j = 0; j < bc; j++) for (let o = 0; o < orientations; o++) block[k++] = histograms[((r + i) * cellsCol + c + j) * orientations + o];
      normalizeBlock(block, method);
      out.set(block, (r * nbc + c) * blockLen);
    }
  }
  return new Tensor(out, [out.length]);
}

/** Bresenham's line from (r0, c0) to (r1, c1), as skimage.draw.line. */
function line(r0: number, c0: number, r1: number, c1: number, visit: (r: number, c: number) => void): void {
  let r = r0;
  let c = c0;
  let dr = Math.abs(r1 - r0);
  let dc = Math.abs(c1 - c0);
  let sc = c1 - c > 0 ? 1 : -1;
  let sr = r1 - r > 0 ? 1 : -1;
  const steep = dr > dc;
  if (steep) { [c, r] = [r, c]; [dc, dr] = [dr, dc]; [sc, sr] = [sr, sc]; }
  let d = 2 * dr - dc;
  for (let i = 0; i < dc; i++) {
    if (steep) visit(c, r);
    else visit(r, c);
    while (d >= 0) { r += sr; d -= 2 * dc; }
    c += sc;
    d += 2 * dr;
  }
  visit(r1, c1);
}

/**
 * A picture of the cell histograms (skimage's visualize=True): in each cell, for
 * each orientation bin, a line through the centre perpendicular to the bin's mid
 * angle (along the edge), as bright as the bin's value. [H, W] float64.
 */
export function renderHog(image: Tensor, opts: Pick<HogOptions, 'orientations' | 'pixelsPerCell'> = {}): Tensor {
  const [h, w] = greyPlane('renderHog', image);
  const orientations = opts.orientations ?? 9;
  const [cr, cc] = pairOf('pixelsPerCell', opts.pixelsPerCell, 8);
  const { histograms, cellsRow, cellsCol } = hogHistograms(image, orientations, [cr, cc]);
  const radius = Math.floor(Math.min(cr, cc) / 2) - 1;
  const out = new Float64Array(h * w);
  const seen = new Uint8Array(h * w);
  for (let r = 0; r < cellsRow; r++) {
    for (let c = 0; c < cellsCol; c++) {
      for (let o = 0; o < orientations; o++) {
        const mid = (Math.PI * (o + 0.5)) / orientations;
        const dr = radius * Math.sin(mid);
        const dc = radius * Math.cos(mid);
        const y = r * cr + Math.floor(cr / 2);
        const x = c * cc + Math.floor(cc / 2);
        // numpy's `img[rr, cc] += v` adds once per distinct pixel of the line.
        const touched: number[] = [];
        line(Math.trunc(y - dc), Math.trunc(x + dr), Math.trunc(y + dc), Math.trunc(x - dr), (pr, pc) => {
          const p = pr * w + pc;
          if (!seen[p]) { seen[p] = 1; touched.push(p); out[p] += histograms[(r * cellsCol + c) * orientations + o]; }
        });
        for (const p of touched) seen[p] = 0;
      }
    }
  }
  return new Tensor(out, [h, w]);
}
