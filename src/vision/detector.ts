/**
 * A one-stage grid detector in the manner of YOLO v1: the stride-8 feature
 * map is a grid; the cell holding an object's centre predicts it (objectness,
 * class, box relative to the cell and to an anchor size). Decoding keeps
 * cells above a score threshold and applies per-class non-maximum suppression.
 */
import { ArgumentError, Tensor, type RNG } from '../tensor/index.js';
import { add, binaryCrossEntropyWithLogits, concat, crossEntropy, div, mul, sigmoid, slice, sum } from '../ops/index.js';
import { Conv2d, Module, Sequential } from '../nn/index.js';
import { jsonConfig, layerConfig, positiveInt } from '../nn/layers/config.js';
import { convBlock } from './segmentation.js';
import { SceneBackbone } from './localization.js';
import { smoothL1 } from './localization.js';
import { batchedNms, clipBox, type Box } from './boxes.js';
import type { Detections } from './detection-metrics.js';
import type { SceneObject } from './scenes.js';

export const DETECTOR_STRIDE = 8;

export interface GridDetectorConfig {
  numClasses: number;
  inChannels?: number;
  width?: number;
  /** The box size (pixels) that a zero log-size prediction means (default 16). */
  anchor?: number;
  rng?: RNG;
}

/** Outputs { objectness [N, 1, G, G], classes [N, K, G, G], box [N, 4, G, G] } with G = side / 8; box = (tx, ty, tw, th) raw. */
export class GridDetector extends Module<[Tensor], Record<string, Tensor>> {
  static override readonly typeName = 'GridDetector';
  readonly config: Readonly<{ numClasses: number; inChannels: number; width: number; anchor: number }>;
  readonly backbone: SceneBackbone;
  readonly neck: Sequential;
  readonly head: Conv2d;
  constructor(config: GridDetectorConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<GridDetectorConfig>('GridDetector', config, ['numClasses', 'inChannels', 'width', 'anchor', 'rng'], '{ numClasses: 10 }', rest[0]);
    const numClasses = positiveInt('GridDetector', 'numClasses', c.numClasses);
    const anchor = c.anchor ?? 16;
    if (!(anchor > 0)) throw new ArgumentError('GridDetector', `anchor must be > 0, got ${anchor}`);
    this.backbone = this.registerModule('backbone', new SceneBackbone({ inChannels: c.inChannels, width: c.width, rng: c.rng }));
    this.config = { numClasses, anchor, ...this.backbone.config };
    const f = this.backbone.outChannels;
    // One more block widens each cell's receptive field to a whole item (up to 28 px).
    this.neck = this.registerModule('neck', convBlock(f, f, c.rng));
    this.head = this.registerModule('head', new Conv2d({ inChannels: f, outChannels: 1 + numClasses + 4, kernelSize: 1, rng: c.rng }));
  }
  forward(x: Tensor): Record<string, Tensor> {
    const h = this.head.call(this.neck.call(this.backbone.call(x)));
    const K = this.config.numClasses;
    return {
      objectness: slice(h, [0, 0], [null, 1]),
      classes: slice(h, [0, 1], [null, 1 + K]),
      box: slice(h, [0, 1 + K], [null, 5 + K]),
    };
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface GridTargets {
  objectness: Tensor;
  /** int32 [N, G, G]: the class at responsible cells, −100 (ignored) elsewhere. */
  classes: Tensor;
  /** [N, 4, G, G]: (sx, sy) the centre's offset in its cell in [0, 1), (log w/anchor, log h/anchor). */
  box: Tensor;
  numPositive: number;
}

/**
 * Box encoding: each object goes to the cell holding its centre; where two
 * centres share a cell the larger object keeps it (the smaller one is then
 * not learned, a known limit of YOLO v1's one-box-per-cell grid).
 */
export function encodeGridTargets(objects: readonly (readonly SceneObject[])[], side: number, anchor: number): GridTargets {
  const G = side / DETECTOR_STRIDE;
  if (!Number.isInteger(G)) throw new ArgumentError('encodeGridTargets', `image side ${side} is not a multiple of ${DETECTOR_STRIDE}`);
  const N = objects.length;
  const obj = new Float32Array(N * G * G);
  const cls = new Int32Array(N * G * G).fill(-100);
  const box = new Float32Array(N * 4 * G * G);
  const area = new Float64Array(N * G * G);
  let pos = 0;
  objects.forEach((os, n) => {
    for (const o of os) {
      const [x1, y1, x2, y2] = o.box;
      if (x1 < 0 || y1 < 0 || x2 > side || y2 > side || x2 <= x1 || y2 <= y1) throw new ArgumentError('encodeGridTargets', `image ${n}: box [${o.box.join(', ')}] is empty or outside the ${side}×${side} image`);
      const cx = (x1 + x2) / 2 / DETECTOR_STRIDE, cy = (y1 + y2) / 2 / DETECTOR_STRIDE;
      const gx = Math.min(G - 1, Math.floor(cx)), gy = Math.min(G - 1, Math.floor(cy));
      const q = gy * G + gx;
      const a = (x2 - x1) * (y2 - y1);
      if (area[n * G * G + q] >= a) continue;
      if (area[n * G * G + q] === 0) pos++;
      area[n * G * G + q] = a;
      obj[n * G * G + q] = 1;
      cls[n * G * G + q] = o.label;
      const b = n * 4 * G * G + q;
      box[b] = cx - gx;
      box[b + G * G] = cy - gy;
      box[b + 2 * G * G] = Math.log((x2 - x1) / anchor);
      box[b + 3 * G * G] = Math.log((y2 - y1) / anchor);
    }
  });
  return { objectness: new Tensor(obj, [N, 1, G, G]), classes: new Tensor(cls, [N, G, G]), box: new Tensor(box, [N, 4, G, G]), numPositive: pos };
}

/** The box head's (tx, ty) through a sigmoid (offset in the cell), (tw, th) as log sizes. */
function boxParams(raw: Tensor): Tensor {
  return concat([sigmoid(slice(raw, [0, 0], [null, 2])), slice(raw, [0, 2], [null, 4])], 1);
}

/** Objectness BCE over all cells + class cross-entropy + λ·smooth-L1 on the boxes of responsible cells, each summed and divided by the number of objects. */
export function gridDetectionLoss(out: Record<string, Tensor>, t: GridTargets, opts: { boxWeight?: number; noObjectWeight?: number } = {}): Tensor {
  const n = Math.max(1, t.numPositive);
  const noObj = opts.noObjectWeight ?? 1;
  const weight = noObj === 1 ? null : new Tensor(Float32Array.from(t.objectness.data, (v) => (v > 0 ? 1 : noObj)), t.objectness.shape);
  const objLoss = binaryCrossEntropyWithLogits(out.objectness, t.objectness, { reduction: 'sum', weight });
  const clsLoss = crossEntropy(out.classes, t.classes, { reduction: 'sum', ignoreIndex: -100 });
  const boxLoss = sum(mul(smoothL1(boxParams(out.box), t.box, 0.1), t.objectness));
  return div(add(add(objLoss, clsLoss), mul(boxLoss, opts.boxWeight ?? 5)), n);
}

export interface DecodeOptions {
  /** Keep cells whose objectness × class probability is at least this (default 0.05; raise it for display). */
  scoreThreshold?: number;
  nmsThreshold?: number;
  maxDetections?: number;
}

/** Turn the detector's outputs into per-image detections (xyxy pixel boxes, clipped to the image). */
export function decodeGridDetections(out: Record<string, Tensor>, anchor: number, opts: DecodeOptions = {}): Detections[] {
  const { scoreThreshold = 0.05, nmsThreshold = 0.5, maxDetections = 100 } = opts;
  const [N, K, G] = out.classes.shape;
  const o = out.objectness.data, c = out.classes.data, b = out.box.data;
  const side = G * DETECTOR_STRIDE;
  const result: Detections[] = [];
  for (let n = 0; n < N; n++) {
    const boxes: Box[] = [], scores: number[] = [], labels: number[] = [];
    for (let q = 0; q < G * G; q++) {
      const pObj = 1 / (1 + Math.exp(-o[n * G * G + q]));
      let best = 0, mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, c[(n * K + k) * G * G + q]);
      let z = 0;
      for (let k = 0; k < K; k++) {
        const v = c[(n * K + k) * G * G + q];
        z += Math.exp(v - mx);
        if (v === mx) best = k;
      }
      const score = pObj / z; // the top class's softmax probability is exp(0) / z
      if (score < scoreThreshold) continue;
      const at = (ch: number) => b[(n * 4 + ch) * G * G + q];
      const gx = q % G, gy = Math.floor(q / G);
      const cx = (gx + 1 / (1 + Math.exp(-at(0)))) * DETECTOR_STRIDE, cy = (gy + 1 / (1 + Math.exp(-at(1)))) * DETECTOR_STRIDE;
      const w = anchor * Math.exp(Math.min(at(2), 4)), h = anchor * Math.exp(Math.min(at(3), 4));
      boxes.push(clipBox([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], side, side));
      scores.push(score);
      labels.push(best);
    }
    const keep = batchedNms(boxes, scores, labels, nmsThreshold).slice(0, maxDetections);
    result.push({ boxes: keep.map((i) => boxes[i]), scores: keep.map((i) => scores[i]), labels: keep.map((i) => labels[i]) });
  }
  return result;
}
