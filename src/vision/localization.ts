/**
 * Classification with localisation (the ILSVRC task): a small conv backbone,
 * a class head and a box-regression head, the box losses (L2, smooth-L1) and
 * the ILSVRC top-1 localisation rule.
 */
import { ArgumentError, ShapeError, type RNG, type Tensor } from '../tensor/index.js';
import { abs, add, crossEntropy, div, minimum, mean, mul, sigmoid, square, sub, sum } from '../ops/index.js';
import { Flatten, GlobalAvgPool2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { jsonConfig, layerConfig, positiveInt } from '../nn/layers/config.js';
import { convBlock } from './segmentation.js';
import { cxcywhToXyxy, iou, type Box } from './boxes.js';

export interface BackboneConfig {
  inChannels?: number;
  /** Channels of the first stage, doubled at each of the three stages (default 16). */
  width?: number;
  rng?: RNG;
}

/** Three conv-block stages with 2×2 max pooling: stride 8, 4·width output channels. */
export class SceneBackbone extends Module {
  static override readonly typeName = 'SceneBackbone';
  readonly config: Readonly<Required<Omit<BackboneConfig, 'rng'>>>;
  readonly body: Sequential;
  constructor(config: BackboneConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<BackboneConfig>('SceneBackbone', config, ['inChannels', 'width', 'rng'], '{ width: 16 }', rest[0]);
    const inChannels = positiveInt('SceneBackbone', 'inChannels', c.inChannels ?? 1);
    const w = positiveInt('SceneBackbone', 'width', c.width ?? 16);
    this.config = { inChannels, width: w };
    const pool = () => new MaxPool2d({ kernelSize: 2 });
    this.body = this.registerModule('body', new Sequential(convBlock(inChannels, w, c.rng), pool(), convBlock(w, 2 * w, c.rng), pool(), convBlock(2 * w, 4 * w, c.rng), pool()));
  }
  get outChannels(): number {
    return 4 * this.config.width;
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.config.inChannels || x.shape[2] % 8 || x.shape[3] % 8) {
      throw new ShapeError('SceneBackbone', `[N, ${this.config.inChannels}, H, W] with H and W multiples of 8`, x.shape);
    }
    return this.body.call(x);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface LocalizerConfig extends BackboneConfig {
  numClasses: number;
}

/** Backbone → global average pool → { logits [N, K], box [N, 4] }: the box is (cx, cy, w, h) / image side, squashed into (0, 1) by a sigmoid. */
export class Localizer extends Module<[Tensor], Record<string, Tensor>> {
  static override readonly typeName = 'Localizer';
  readonly config: Readonly<{ inChannels: number; width: number; numClasses: number }>;
  readonly backbone: SceneBackbone;
  readonly neck: Sequential;
  readonly classHead: Linear;
  readonly boxHead: Linear;
  constructor(config: LocalizerConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<LocalizerConfig>('Localizer', config, ['inChannels', 'width', 'numClasses', 'rng'], '{ numClasses: 10 }', rest[0]);
    const numClasses = positiveInt('Localizer', 'numClasses', c.numClasses);
    this.backbone = this.registerModule('backbone', new SceneBackbone({ inChannels: c.inChannels, width: c.width, rng: c.rng }));
    this.config = { ...this.backbone.config, numClasses };
    const f = this.backbone.outChannels;
    // The box needs where the object is, which global pooling alone would lose: one more conv stage keeps it in the channels.
    this.neck = this.registerModule('neck', new Sequential(convBlock(f, f, c.rng), new GlobalAvgPool2d(), new Flatten(), new Linear({ inFeatures: f, outFeatures: f, rng: c.rng }), new ReLU()));
    this.classHead = this.registerModule('classHead', new Linear({ inFeatures: f, outFeatures: numClasses, rng: c.rng }));
    this.boxHead = this.registerModule('boxHead', new Linear({ inFeatures: f, outFeatures: 4, rng: c.rng }));
  }
  forward(x: Tensor): Record<string, Tensor> {
    const h = this.neck.call(this.backbone.call(x));
    return { logits: this.classHead.call(h), box: sigmoid(this.boxHead.call(h)) };
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

/** Elementwise smooth-L1 (Huber with β): ½d²/β where |d| < β, |d| − ½β elsewhere; written as ½q²/β + (|d| − q), q = min(|d|, β). */
export function smoothL1(pred: Tensor, target: Tensor, beta = 1): Tensor {
  if (!(beta > 0)) throw new ArgumentError('smoothL1', `beta must be > 0, got ${beta}`);
  const a = abs(sub(pred, target));
  const q = minimum(a, beta);
  return add(div(mul(square(q), 0.5), beta), sub(a, q));
}

export type BoxLoss = 'l2' | 'smooth-l1';

/** Class cross-entropy + λ · box regression (mean over the batch of the summed 4 coordinates). */
export function localizationLoss(out: Record<string, Tensor>, labels: Tensor, boxes: Tensor, opts: { boxLoss?: BoxLoss; boxWeight?: number; beta?: number } = {}): Tensor {
  const kind = opts.boxLoss ?? 'smooth-l1';
  if (kind !== 'l2' && kind !== 'smooth-l1') throw new ArgumentError('localizationLoss', `boxLoss must be 'l2' or 'smooth-l1', got ${String(kind)}`);
  if (!out.box || !out.logits) throw new ArgumentError('localizationLoss', 'the model output needs "logits" and "box"');
  const per = kind === 'l2' ? square(sub(out.box, boxes)) : smoothL1(out.box, boxes, opts.beta ?? 0.05);
  const boxTerm = mean(sum(per, { axis: 1 }));
  return add(crossEntropy(out.logits, labels), mul(boxTerm, opts.boxWeight ?? 5));
}

/** A scene's single box as normalised (cx, cy, w, h) / size. */
export function normalizedCxcywh(box: Box, size: number): [number, number, number, number] {
  return [(box[0] + box[2]) / 2 / size, (box[1] + box[3]) / 2 / size, (box[2] - box[0]) / size, (box[3] - box[1]) / size];
}

/** Predicted normalised (cx, cy, w, h) back to an xyxy pixel box. */
export function denormalizeBox(b: ArrayLike<number>, size: number): Box {
  return cxcywhToXyxy([b[0] * size, b[1] * size, Math.max(0, b[2]) * size, Math.max(0, b[3]) * size]);
}

export interface LocalizationResult {
  /** ILSVRC rule: the top-1 class is right and its box has IoU ≥ 0.5 with the ground truth. */
  top1LocalizationAccuracy: number;
  classificationAccuracy: number;
  /** Fraction with IoU ≥ 0.5 whatever the class. */
  boxAccuracy: number;
  meanIoU: number;
}

/** Score predictions (top-1 class, xyxy box) against the ground truth with the ILSVRC localisation rule. */
export function ilsvrcLocalization(pred: { label: number; box: Box }[], truth: { label: number; box: Box }[]): LocalizationResult {
  if (pred.length !== truth.length) throw new ArgumentError('ilsvrcLocalization', `${pred.length} predictions for ${truth.length} ground-truth objects`);
  if (pred.length === 0) throw new ArgumentError('ilsvrcLocalization', 'no samples to score');
  let loc = 0, cls = 0, box = 0, iouSum = 0;
  pred.forEach((p, i) => {
    const o = iou(p.box, truth[i].box);
    const right = p.label === truth[i].label;
    cls += right ? 1 : 0;
    box += o >= 0.5 ? 1 : 0;
    loc += right && o >= 0.5 ? 1 : 0;
    iouSum += o;
  });
  const n = pred.length;
  return { top1LocalizationAccuracy: loc / n, classificationAccuracy: cls / n, boxAccuracy: box / n, meanIoU: iouSum / n };
}
