/** The vision commands: train --task localize|detect|segment, detect, segment (Node-only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { ArgumentError, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/public.js';
import type { Module } from '../nn/index.js';
import { saveCheckpoint, readCheckpoint } from '../train/checkpoint-node.js';
import { CHECKPOINT_FORMAT } from '../train/checkpoint.js';
import { MNIST_CLASSES, FASHION_MNIST_CLASSES } from '../data/mnist.js';
import { readGrayImage } from './images.js';
import { loadDigitScenes, encodePng } from '../vision/scenes-node.js';
import { FCN, UNet, argmaxClasses } from '../vision/segmentation.js';
import { GridDetector, decodeGridDetections } from '../vision/detector.js';
import { Localizer } from '../vision/localization.js';
import { trainDetector, trainLocalizer, trainSegmenter } from '../vision/tasks.js';
import { CLASS_PALETTE, drawBox, drawText, grayCanvas, maskCanvas, type Canvas } from '../vision/draw.js';

export interface VisionTrainSettings {
  task: 'localize' | 'detect' | 'segment';
  arch: 'fcn' | 'unet';
  dataset: 'mnist' | 'fashion-mnist';
  dataDir?: string;
  sceneSize: number;
  trainScenes: number;
  testScenes: number;
  steps: number;
  batchSize: number;
  lr: number;
  width: number;
  seed: number;
  out: string;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Generate scenes (train from the training split, test from the test split), train, score, save `<out>/<task>.safetensors`. */
export function runVisionTrain(s: VisionTrainSettings, log: (line: string) => void): string {
  if (s.dataset !== 'mnist' && s.dataset !== 'fashion-mnist') throw new ArgumentError('train', `--task ${s.task} builds scenes from mnist or fashion-mnist items, not ${String(s.dataset)}`);
  if (!Number.isInteger(s.sceneSize) || s.sceneSize < 32 || s.sceneSize % 8) throw new ArgumentError('train', `--scene-size must be a multiple of 8 and at least 32, got ${s.sceneSize}`);
  const scale = { size: s.sceneSize, minScale: Math.round(s.sceneSize * 0.22), maxScale: Math.min(28, Math.round(s.sceneSize * 0.45)) };
  const single = s.task === 'localize' ? { minObjects: 1, maxObjects: 1 } : {};
  const common = { dataset: s.dataset, dir: s.dataDir, ...scale, ...single };
  const train = loadDigitScenes({ ...common, split: 'train', count: s.trainScenes, seed: s.seed + 1 });
  const test = loadDigitScenes({ ...common, split: 'test', count: s.testScenes, seed: s.seed + 2 });
  const t0 = performance.now();
  const opts = { steps: s.steps, batchSize: s.batchSize, lr: s.lr, width: s.width, seed: s.seed, logEvery: 25, log: (k: number, l: number) => log(`step ${k}/${s.steps}: loss ${l.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`) };
  let model: Module<[Tensor], unknown>;
  let report: string[];
  if (s.task === 'segment') {
    const r = trainSegmenter(s.arch, train, test, opts);
    model = r.model;
    report = [`pixel accuracy ${pct(r.metrics.pixelAccuracy)}, mean IoU ${r.metrics.meanIoU.toFixed(4)} (11 classes) on ${s.testScenes} test scenes`,
      `IoU per class (background, then ${train.classNames.join(' ')}): ${r.metrics.iou.map((v) => v.toFixed(3)).join(' ')}`];
  } else if (s.task === 'detect') {
    const r = trainDetector(train, test, opts);
    model = r.model;
    report = [`mAP@0.5 (VOC, all-point) ${r.voc.map.toFixed(4)}, COCO mAP@[.5:.95] ${r.coco.map.toFixed(4)} (mAP@0.75 ${r.coco.map75.toFixed(4)}) on ${s.testScenes} test scenes`,
      `AP@0.5 per class: ${r.voc.perClass.map((c) => `${train.classNames[c.label]}:${c.ap.toFixed(3)}`).join(' ')}`];
  } else if (s.task === 'localize') {
    const r = trainLocalizer(train, test, opts);
    model = r.model;
    report = [`top-1 localisation accuracy (ILSVRC: class right and IoU >= 0.5) ${pct(r.result.top1LocalizationAccuracy)} on ${s.testScenes} single-object test scenes`,
      `classification ${pct(r.result.classificationAccuracy)}, IoU >= 0.5 ${pct(r.result.boxAccuracy)}, mean IoU ${r.result.meanIoU.toFixed(3)}`];
  } else throw new ArgumentError('train', `unknown task ${String(s.task)}`);
  const secs = (performance.now() - t0) / 1000;
  const path = join(s.out, `${s.task}.safetensors`);
  mkdirSync(dirname(path), { recursive: true });
  const m = model as unknown as Module;
  saveCheckpoint(path, m, { format: CHECKPOINT_FORMAT, model: { name: m.typeName, config: { ...m.toConfig(), sceneSize: s.sceneSize, dataset: s.dataset } } });
  return [...report, `trained ${s.steps} steps of ${s.batchSize} on ${s.trainScenes} train scenes (${s.sceneSize}×${s.sceneSize}) in ${secs.toFixed(0)} s; saved ${path}`].join('\n');
}

type VisionModel = UNet | FCN | GridDetector | Localizer;

export function loadVisionModel(path: string): { model: VisionModel; sceneSize: number; classNames: readonly string[] } {
  const { tensors, info } = readCheckpoint(path);
  const { sceneSize, dataset, ...config } = info.model.config as Record<string, unknown> & { sceneSize: number; dataset: string };
  const makers: Record<string, (c: never) => VisionModel> = { UNet: (c) => new UNet(c), FCN: (c) => new FCN(c), GridDetector: (c) => new GridDetector(c), Localizer: (c) => new Localizer(c) };
  const make = makers[info.model.name];
  if (!make) throw new ArgumentError('vision', `${path} holds a ${info.model.name}, not one of ${Object.keys(makers).join(', ')}`);
  const model = make(config as never);
  (model as unknown as Module).loadStateDict(tensors);
  model.eval();
  return { model, sceneSize, classNames: dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES };
}

/** An image file as the models' input: grey, white on black (inverted when the background is light), resized bilinearly to side×side. */
export function imageInput(file: string, side: number): Tensor {
  const { width, height, gray } = readGrayImage(file);
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const fy = Math.min(Math.max(((y + 0.5) * height) / side - 0.5, 0), height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, height - 1), dy = fy - y0;
    for (let x = 0; x < side; x++) {
      const fx = Math.min(Math.max(((x + 0.5) * width) / side - 0.5, 0), width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, width - 1), dx = fx - x0;
      const p = (yy: number, xx: number) => gray[yy * width + xx];
      out[y * side + x] = (1 - dy) * ((1 - dx) * p(y0, x0) + dx * p(y0, x1)) + dy * ((1 - dx) * p(y1, x0) + dx * p(y1, x1));
    }
  }
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  if (mean > 0.5) for (let i = 0; i < out.length; i++) out[i] = 1 - out[i];
  return new Tensor(out, [1, 1, side, side]);
}

function savePng(path: string, c: Canvas): void {
  mkdirSync(dirname(path) || '.', { recursive: true });
  writeFileSync(path, encodePng(c.width, c.height, c.data));
}

export function runDetect(ckpt: string, image: string, o: { out?: string; threshold: number; scale: number }): string {
  const { model, sceneSize, classNames } = loadVisionModel(ckpt);
  const name = (i: number) => classNames[i] ?? String(i);
  if (!(model instanceof GridDetector)) throw new ArgumentError('detect', `${ckpt} holds a ${model.constructor.name}, not a GridDetector (train one with --task detect)`);
  const x = imageInput(image, sceneSize);
  const dets = decodeGridDetections(noGrad(() => model.call(x)), model.config.anchor, { scoreThreshold: o.threshold })[0];
  if (o.out) {
    const c = grayCanvas(x.data, sceneSize, sceneSize, o.scale);
    dets.boxes.forEach((b, i) => {
      const rgb = CLASS_PALETTE[dets.labels[i] + 1];
      drawBox(c, b, rgb, o.scale, 2);
      drawText(c, `${dets.labels[i]} ${dets.scores[i].toFixed(2)}`, Math.round(b[0] * o.scale), Math.max(2, Math.round(b[1] * o.scale) - 13), rgb);
    });
    savePng(o.out, c);
  }
  return JSON.stringify({ image, inputSize: sceneSize, detections: dets.boxes.map((b, i) => ({ label: name(dets.labels[i]), score: Number(dets.scores[i].toFixed(4)), box: b.map((v) => Number(v.toFixed(2))) })) }, null, 2);
}

export function runSegment(ckpt: string, image: string, o: { out?: string; scale: number }): string {
  const { model, sceneSize, classNames } = loadVisionModel(ckpt);
  if (!(model instanceof UNet || model instanceof FCN)) throw new ArgumentError('segment', `${ckpt} holds a ${model.constructor.name}, not a UNet or FCN (train one with --task segment)`);
  const x = imageInput(image, sceneSize);
  const pred = argmaxClasses(noGrad(() => model.call(x)));
  if (o.out) savePng(o.out, maskCanvas(pred, sceneSize, sceneSize, o.scale, grayCanvas(x.data, sceneSize, sceneSize, o.scale)));
  const counts = new Map<string, number>();
  pred.forEach((v) => { const k = v === 0 ? 'background' : classNames[v - 1]; counts.set(k, (counts.get(k) ?? 0) + 1); });
  return JSON.stringify({ image, inputSize: sceneSize, pixelsPerClass: Object.fromEntries(counts) }, null, 2);
}

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new ArgumentError(name, `must be a positive number, got ${v}`);
  return n;
};

/** Register `detect` and `segment` on the program. */
export function registerVisionCommands(program: Command): void {
  program.command('detect').description('boxes and scores of a detector checkpoint on an image (JSON on stdout)')
    .argument('<checkpoint>', 'a checkpoint written by train --task detect').argument('<image>', 'PNG or JPEG')
    .option('--out <png>', 'write the image with the boxes drawn').option('--threshold <s>', 'score threshold', positive('--threshold'), 0.3)
    .option('--scale <k>', 'enlarge the picture k times', positive('--scale'), 4)
    .action((ckpt, image, o) => console.log(runDetect(ckpt, image, o)));
  program.command('segment').description('per-pixel classes of a segmentation checkpoint on an image')
    .argument('<checkpoint>', 'a checkpoint written by train --task segment').argument('<image>', 'PNG or JPEG')
    .option('--out <png>', 'write the image with the colour overlay').option('--scale <k>', 'enlarge the picture k times', positive('--scale'), 4)
    .action((ckpt, image, o) => console.log(runSegment(ckpt, image, o)));
}

/** Add the train command's options that only the vision tasks read. */
export function withVisionTrainOptions(cmd: Command): Command {
  for (const opt of [
    new Option('--task <task>', 'classify (MNIST), on digit scenes: localize, detect, segment; speech (--data <dir> of WAV files) or text (--data <file.jsonl>)').choices(['classify', 'localize', 'detect', 'segment', 'speech', 'text']).default('classify'),
    new Option('--arch <name>', 'segmentation network').choices(['unet', 'fcn']).default('unet'),
    new Option('--scene-size <px>', 'digit-scene side (multiple of 8)').argParser(Number).default(48),
    new Option('--scenes <n>', 'train scenes to generate').argParser(Number).default(3000),
    new Option('--test-scenes <n>', 'test scenes to generate').argParser(Number).default(500),
    new Option('--width <c>', 'channels of the first stage').argParser(Number).default(8),
  ]) cmd.addOption(opt);
  return cmd;
}
