// Segmentation, detection and localisation on digit scenes with the library API (what `receptive train --task ...` does).
// Run: node --import tsx examples/digit-scenes.ts [segment|detect|localize] [steps=300]
import { ready } from 'receptive';
import { loadDigitScenes } from '../src/vision/scenes-node.js';
import { trainDetector, trainLocalizer, trainSegmenter } from '../src/vision/tasks.js';

await ready();
const task = process.argv[2] ?? 'segment';
const steps = Number(process.argv[3] ?? 300);
const scene = { size: 48, minScale: 11, maxScale: 22, ...(task === 'localize' ? { minObjects: 1, maxObjects: 1 } : {}) };
const train = loadDigitScenes({ ...scene, split: 'train', count: 3000, seed: 1 });
const test = loadDigitScenes({ ...scene, split: 'test', count: 300, seed: 2 });
const opts = { steps, width: 16, lr: 4e-3, log: (s: number, l: number) => console.log(`step ${s}: loss ${l.toFixed(4)}`) };
if (task === 'segment') {
  const r = trainSegmenter('unet', train, test, opts);
  console.log(`mean IoU ${r.metrics.meanIoU.toFixed(4)}, pixel accuracy ${r.metrics.pixelAccuracy.toFixed(4)}`);
} else if (task === 'detect') {
  const r = trainDetector(train, test, opts);
  console.log(`mAP@0.5 ${r.voc.map.toFixed(4)}, COCO mAP@[.5:.95] ${r.coco.map.toFixed(4)}`);
} else {
  const r = trainLocalizer(train, test, opts);
  console.log(`top-1 localisation accuracy ${r.result.top1LocalizationAccuracy.toFixed(4)}`);
}
