/**
 * Semantic segmentation: an FCN and a U-Net for dense per-pixel class scores,
 * and the field's metrics (pixel accuracy, per-class IoU, mean IoU).
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import type { RNG } from '../tensor/index.js';
import { add, concat } from '../ops/index.js';
import { BatchNorm2d, Conv2d, ConvTranspose2d, MaxPool2d, Module, ReLU, Sequential, Upsample } from '../nn/index.js';
import { jsonConfig, layerConfig, positiveInt } from '../nn/layers/config.js';

/** conv3×3 → BN → ReLU, twice: the unit of both networks. */
export function convBlock(inCh: number, outCh: number, rng?: RNG): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: inCh, outChannels: outCh, kernelSize: 3, padding: 1, bias: false, rng }), new BatchNorm2d({ numFeatures: outCh }), new ReLU(),
    new Conv2d({ inChannels: outCh, outChannels: outCh, kernelSize: 3, padding: 1, bias: false, rng }), new BatchNorm2d({ numFeatures: outCh }), new ReLU(),
  );
}

export interface SegmenterConfig {
  inChannels?: number;
  numClasses: number;
  /** Channels of the first stage; each later stage doubles them (default 16). */
  width?: number;
  rng?: RNG;
}

function checkConfig(layer: string, config: unknown, rest: unknown): Required<Omit<SegmenterConfig, 'rng'>> & { rng?: RNG } {
  const c = layerConfig<SegmenterConfig>(layer, config, ['inChannels', 'numClasses', 'width', 'rng'], '{ numClasses: 11 }', rest);
  return { inChannels: positiveInt(layer, 'inChannels', c.inChannels ?? 1), numClasses: positiveInt(layer, 'numClasses', c.numClasses), width: positiveInt(layer, 'width', c.width ?? 16), rng: c.rng };
}

function checkDivisible(layer: string, x: Tensor, by: number): void {
  if (x.rank !== 4 || x.shape[2] % by || x.shape[3] % by) throw new ShapeError(layer, `[N, C, H, W] with H and W multiples of ${by}`, x.shape);
}

/**
 * FCN (Long et al. 2015), small: three conv stages to stride 8, 1×1 class
 * scores at strides 8 and 4; the stride-8 scores go up ×2 by a learned
 * transposed convolution and add to the stride-4 scores (the FCN-8s skip),
 * then a fixed bilinear ×4 returns to full resolution.
 */
export class FCN extends Module {
  static override readonly typeName = 'FCN';
  readonly config: Readonly<Required<Omit<SegmenterConfig, 'rng'>>>;
  readonly stage1: Sequential;
  readonly stage2: Sequential;
  readonly stage3: Sequential;
  readonly score4: Conv2d;
  readonly score8: Conv2d;
  readonly up8to4: ConvTranspose2d;
  readonly up4to1: Upsample;
  constructor(config: SegmenterConfig, ...rest: unknown[]) {
    super();
    const { rng, ...c } = checkConfig('FCN', config, rest[0]);
    this.config = c;
    const w = c.width;
    const pool = () => new MaxPool2d({ kernelSize: 2 });
    this.stage1 = this.registerModule('stage1', new Sequential(convBlock(c.inChannels, w, rng), pool()));
    this.stage2 = this.registerModule('stage2', new Sequential(convBlock(w, 2 * w, rng), pool()));
    this.stage3 = this.registerModule('stage3', new Sequential(convBlock(2 * w, 4 * w, rng), pool(), convBlock(4 * w, 4 * w, rng)));
    this.score4 = this.registerModule('score4', new Conv2d({ inChannels: 2 * w, outChannels: c.numClasses, kernelSize: 1, rng }));
    this.score8 = this.registerModule('score8', new Conv2d({ inChannels: 4 * w, outChannels: c.numClasses, kernelSize: 1, rng }));
    this.up8to4 = this.registerModule('up8to4', new ConvTranspose2d({ inChannels: c.numClasses, outChannels: c.numClasses, kernelSize: 4, stride: 2, padding: 1, rng }));
    this.up4to1 = this.registerModule('up4to1', new Upsample({ scaleFactor: 4, mode: 'bilinear' }));
  }
  forward(x: Tensor): Tensor {
    checkDivisible('FCN', x, 8);
    const f4 = this.stage2.call(this.stage1.call(x));
    const f8 = this.stage3.call(f4);
    return this.up4to1.call(add(this.up8to4.call(this.score8.call(f8)), this.score4.call(f4)));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

/**
 * U-Net (Ronneberger et al. 2015) with three down and three up steps: each
 * decoder step upsamples by a 2×2 stride-2 transposed convolution and
 * concatenates the encoder features of the same resolution (the skip) before
 * a conv block. The stride-8 bottleneck sees about 60 px, a whole item; the
 * full-resolution skip gives the exact item boundary.
 */
export class UNet extends Module {
  static override readonly typeName = 'UNet';
  readonly config: Readonly<Required<Omit<SegmenterConfig, 'rng'>>>;
  readonly enc1: Sequential;
  readonly enc2: Sequential;
  readonly enc3: Sequential;
  readonly bottleneck: Sequential;
  readonly up3: ConvTranspose2d;
  readonly dec3: Sequential;
  readonly up2: ConvTranspose2d;
  readonly dec2: Sequential;
  readonly up1: ConvTranspose2d;
  readonly dec1: Sequential;
  readonly head: Conv2d;
  readonly pool = new MaxPool2d({ kernelSize: 2 });
  constructor(config: SegmenterConfig, ...rest: unknown[]) {
    super();
    const { rng, ...c } = checkConfig('UNet', config, rest[0]);
    this.config = c;
    const w = c.width;
    const up = (i: number, o: number) => new ConvTranspose2d({ inChannels: i, outChannels: o, kernelSize: 2, stride: 2, rng });
    this.enc1 = this.registerModule('enc1', convBlock(c.inChannels, w, rng));
    this.enc2 = this.registerModule('enc2', convBlock(w, 2 * w, rng));
    this.enc3 = this.registerModule('enc3', convBlock(2 * w, 4 * w, rng));
    this.bottleneck = this.registerModule('bottleneck', convBlock(4 * w, 8 * w, rng));
    this.up3 = this.registerModule('up3', up(8 * w, 4 * w));
    this.dec3 = this.registerModule('dec3', convBlock(8 * w, 4 * w, rng));
    this.up2 = this.registerModule('up2', up(4 * w, 2 * w));
    this.dec2 = this.registerModule('dec2', convBlock(4 * w, 2 * w, rng));
    this.up1 = this.registerModule('up1', up(2 * w, w));
    this.dec1 = this.registerModule('dec1', convBlock(2 * w, w, rng));
    this.head = this.registerModule('head', new Conv2d({ inChannels: w, outChannels: c.numClasses, kernelSize: 1, rng }));
  }
  forward(x: Tensor): Tensor {
    checkDivisible('UNet', x, 8);
    const e1 = this.enc1.call(x);
    const e2 = this.enc2.call(this.pool.call(e1));
    const e3 = this.enc3.call(this.pool.call(e2));
    const b = this.bottleneck.call(this.pool.call(e3));
    const d3 = this.dec3.call(concat([this.up3.call(b), e3], 1));
    const d2 = this.dec2.call(concat([this.up2.call(d3), e2], 1));
    const d1 = this.dec1.call(concat([this.up1.call(d2), e1], 1));
    return this.head.call(d1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface SegmentationMetrics {
  pixelAccuracy: number;
  /** IoU per class; NaN for a class that appears in neither prediction nor target. */
  iou: number[];
  /** Mean over the classes with a defined IoU. */
  meanIoU: number;
  /** Row = target class, column = predicted class. */
  confusion: Float64Array;
}

/** Accumulates a confusion matrix over int class maps; positions whose target is ignoreIndex are skipped. */
export class SegmentationMeter {
  readonly confusion: Float64Array;
  constructor(readonly numClasses: number, readonly ignoreIndex = -1) {
    positiveInt('SegmentationMeter', 'numClasses', numClasses);
    this.confusion = new Float64Array(numClasses * numClasses);
  }
  update(pred: ArrayLike<number>, target: ArrayLike<number>): void {
    if (pred.length !== target.length) throw new ArgumentError('SegmentationMeter', `prediction has ${pred.length} pixels but target ${target.length} (a mask must match its image's size)`);
    const C = this.numClasses;
    for (let i = 0; i < target.length; i++) {
      const t = target[i];
      if (t === this.ignoreIndex) continue;
      const p = pred[i];
      if (!(t >= 0 && t < C && p >= 0 && p < C)) throw new ArgumentError('SegmentationMeter', `class ${t >= 0 && t < C ? p : t} at pixel ${i} is outside [0, ${C})`);
      this.confusion[t * C + p]++;
    }
  }
  result(): SegmentationMetrics {
    const C = this.numClasses;
    const m = this.confusion;
    let correct = 0;
    let total = 0;
    const iou: number[] = [];
    for (let c = 0; c < C; c++) {
      let row = 0, col = 0;
      for (let k = 0; k < C; k++) { row += m[c * C + k]; col += m[k * C + c]; }
      correct += m[c * C + c];
      total += row;
      const union = row + col - m[c * C + c];
      iou.push(union > 0 ? m[c * C + c] / union : NaN);
    }
    const defined = iou.filter((v) => !Number.isNaN(v));
    return { pixelAccuracy: total ? correct / total : 0, iou, meanIoU: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : 0, confusion: Float64Array.from(m) };
  }
}

/** Per-pixel argmax of scores [N, C, H, W] → Int32Array [N·H·W]. */
export function argmaxClasses(scores: Tensor): Int32Array {
  if (scores.rank !== 4) throw new ShapeError('argmaxClasses', '[N, C, H, W]', scores.shape);
  const [N, C, H, W] = scores.shape;
  const d = scores.data;
  const out = new Int32Array(N * H * W);
  for (let n = 0; n < N; n++) {
    for (let q = 0; q < H * W; q++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (d[(n * C + c) * H * W + q] > d[(n * C + best) * H * W + q]) best = c;
      out[n * H * W + q] = best;
    }
  }
  return out;
}

/** Median-frequency class weights (Eigen & Fergus 2015): median(freq) / freq_c, from integer masks; absent classes get weight 0. */
export function medianFrequencyWeights(masks: ArrayLike<number>, numClasses: number, ignoreIndex = -1): Tensor {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < masks.length; i++) if (masks[i] !== ignoreIndex) counts[masks[i]]++;
  const present = [...counts].filter((v) => v > 0).sort((a, b) => a - b);
  const median = present.length ? present[Math.floor(present.length / 2)] : 1;
  return new Tensor(Float32Array.from(counts, (v) => (v > 0 ? median / v : 0)), [numClasses]);
}
