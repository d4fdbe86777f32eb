/**
 * The three scene tasks end to end (browser-safe): build the model, train it
 * on train scenes, score it on test scenes with the field's metric.
 */
import { ArgumentError, RNG, Tensor } from '../tensor/index.js';
import { crossEntropy } from '../ops/index.js';
import type { Module } from '../nn/index.js';
import type { SceneSet } from './scenes.js';
import { FCN, UNet, SegmentationMeter, argmaxClasses, medianFrequencyWeights, type SegmentationMetrics } from './segmentation.js';
import { GridDetector, decodeGridDetections, encodeGridTargets, gridDetectionLoss } from './detector.js';
import { Localizer, denormalizeBox, ilsvrcLocalization, localizationLoss, normalizedCxcywh, type BoxLoss, type LocalizationResult } from './localization.js';
import { cocoMAP, vocMAP, type CocoMAPResult, type Detections, type MAPResult } from './detection-metrics.js';
import { predictScenes, trainOnScenes } from './training.js';

export interface TaskOptions {
  steps: number;
  batchSize?: number;
  lr?: number;
  width?: number;
  seed?: number;
  log?: (step: number, loss: number) => void;
  logEvery?: number;
}

export type SegmenterArch = 'fcn' | 'unet';

export interface SegmentationRun {
  model: FCN | UNet;
  metrics: SegmentationMetrics;
  curve: number[];
  classWeights: number[];
}

/**
 * Per-pixel cross-entropy with class weights (median frequency raised to
 * `weightPower`, 0 = unweighted; background is ~85% of the pixels) and
 * ignore index −1 (pixels of a scene loaded without masks).
 */
export function trainSegmenter(arch: SegmenterArch, train: SceneSet, test: SceneSet, o: TaskOptions & { weightPower?: number }): SegmentationRun {
  if (arch !== 'fcn' && arch !== 'unet') throw new ArgumentError('trainSegmenter', `arch must be 'fcn' or 'unet', got ${String(arch)}`);
  const K = train.classNames.length + 1;
  const rng = new RNG(o.seed ?? 0);
  const model = arch === 'unet' ? new UNet({ numClasses: K, width: o.width ?? 8, rng }) : new FCN({ numClasses: K, width: o.width ?? 8, rng });
  const mf = medianFrequencyWeights(train.masks.data, K);
  const p = o.weightPower ?? 0.25;
  const weight = new Tensor(Float32Array.from(mf.data, (v) => (v > 0 ? Math.pow(v, p) : 0)), [K]);
  const curve = trainOnScenes({
    model, train, steps: o.steps, batchSize: o.batchSize, lr: o.lr, seed: o.seed, log: o.log, logEvery: o.logEvery,
    loss: (b) => crossEntropy(model.call(b.images), b.masks, { weight, ignoreIndex: -1 }),
  });
  return { model, metrics: evaluateSegmenter(model, test), curve, classWeights: Array.from(weight.data) };
}

export function evaluateSegmenter(model: Module, test: SceneSet): SegmentationMetrics {
  const meter = new SegmentationMeter(test.classNames.length + 1, -1);
  predictScenes(model, test, 50, (b, out) => meter.update(argmaxClasses(out), b.masks.data));
  return meter.result();
}

export interface DetectionRun {
  model: GridDetector;
  voc: MAPResult;
  coco: CocoMAPResult;
  detections: Detections[];
  curve: number[];
}

export function trainDetector(train: SceneSet, test: SceneSet, o: TaskOptions & { anchor?: number }): DetectionRun {
  const model = new GridDetector({ numClasses: train.classNames.length, width: o.width ?? 8, anchor: o.anchor ?? 16, rng: new RNG(o.seed ?? 0) });
  const curve = trainOnScenes({
    model, train, steps: o.steps, batchSize: o.batchSize, lr: o.lr, seed: o.seed, log: o.log, logEvery: o.logEvery,
    loss: (b) => gridDetectionLoss(model.call(b.images), encodeGridTargets(b.objects, train.size, model.config.anchor)),
  });
  return { model, ...evaluateDetector(model, test), curve };
}

export function evaluateDetector(model: GridDetector, test: SceneSet, scoreThreshold = 0.05): { voc: MAPResult; coco: CocoMAPResult; detections: Detections[] } {
  const detections: Detections[] = [];
  predictScenes(model, test, 50, (_b, out) => detections.push(...decodeGridDetections(out, model.config.anchor, { scoreThreshold })));
  const gts = test.objects.map((os) => ({ boxes: os.map((o) => o.box), labels: os.map((o) => o.label) }));
  return { voc: vocMAP(gts, detections), coco: cocoMAP(gts, detections), detections };
}

export interface LocalizationRun {
  model: Localizer;
  result: LocalizationResult;
  curve: number[];
}

/** Needs single-object scenes (singleObjectScenes); boxes are regressed as normalised (cx, cy, w, h). */
export function trainLocalizer(train: SceneSet, test: SceneSet, o: TaskOptions & { boxLoss?: BoxLoss }): LocalizationRun {
  for (const [name, set] of [['train', train], ['test', test]] as const) {
    const bad = set.objects.findIndex((os) => os.length !== 1);
    if (bad >= 0) throw new ArgumentError('trainLocalizer', `${name} scene ${bad} has ${set.objects[bad].length} objects; localisation needs exactly one per scene`);
  }
  const model = new Localizer({ numClasses: train.classNames.length, width: o.width ?? 8, rng: new RNG(o.seed ?? 0) });
  const curve = trainOnScenes({
    model, train, steps: o.steps, batchSize: o.batchSize, lr: o.lr, seed: o.seed, log: o.log, logEvery: o.logEvery,
    loss: (b) => {
      const labels = new Tensor(Int32Array.from(b.objects, (os) => os[0].label), [b.objects.length]);
      const boxes = new Tensor(Float32Array.from(b.objects.flatMap((os) => normalizedCxcywh(os[0].box, train.size))), [b.objects.length, 4]);
      return localizationLoss(model.call(b.images), labels, boxes, { boxLoss: o.boxLoss });
    },
  });
  return { model, result: evaluateLocalizer(model, test), curve };
}

export function evaluateLocalizer(model: Localizer, test: SceneSet): LocalizationResult {
  const pred: { label: number; box: [number, number, number, number] }[] = [];
  predictScenes(model, test, 100, (_b, out) => {
    const [N, K] = out.logits.shape;
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (out.logits.data[n * K + k] > out.logits.data[n * K + best]) best = k;
      pred.push({ label: best, box: denormalizeBox(out.box.data.subarray(n * 4, n * 4 + 4), test.size) as [number, number, number, number] });
    }
  });
  return ilsvrcLocalization(pred, test.objects.map((os) => ({ label: os[0].label, box: os[0].box })));
}
