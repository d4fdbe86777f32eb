// Pictures for docs/applications.md (Vision) from trained checkpoints, on test scenes the models never saw.
// Run: node --import tsx scripts/vision-figures.ts <task> <checkpoint> <out.png> [sceneSize=48]
//   task: segment (input | truth | prediction), detect (boxes, scores), localize (box and class)
import { writeFileSync } from 'node:fs';
import { ready, type Tensor } from '../src/index.js';
import { noGrad } from '../src/autograd/public.js';
import { loadDigitScenes, encodePng } from '../src/vision/scenes-node.js';
import { sceneBatch } from '../src/vision/training.js';
import { argmaxClasses } from '../src/vision/segmentation.js';
import { decodeGridDetections, GridDetector } from '../src/vision/detector.js';
import { denormalizeBox } from '../src/vision/localization.js';
import { CLASS_PALETTE, drawBox, drawText, grayCanvas, hconcat, maskCanvas, vconcat, type Canvas } from '../src/vision/draw.js';
import { loadVisionModel } from '../src/cli/vision.js';

await ready();
const [task, ckpt, out, sizeArg] = process.argv.slice(2);
const S = Number(sizeArg ?? 48);
const K = 4;
const single = task === 'localize' ? { minObjects: 1, maxObjects: 1 } : {};
// Seed 99: scenes other than the scored test set, still built only from MNIST test items.
const set = loadDigitScenes({ split: 'test', count: 8, size: S, minScale: Math.round(S * 0.22), maxScale: Math.min(28, Math.round(S * 0.45)), seed: 99, ...single });
const { model } = loadVisionModel(ckpt);
const batch = sceneBatch(set, Array.from({ length: 8 }, (_v, i) => i));
const output = noGrad(() => model.call(batch.images));
const scene = (i: number) => batch.images.data.subarray(i * S * S, (i + 1) * S * S);
const rows: Canvas[] = [];
for (let r = 0; r < 8 / K; r++) {
  const tiles: Canvas[] = [];
  for (let k = 0; k < K; k++) {
    const i = r * K + k;
    if (task === 'segment') {
      const pred = argmaxClasses(output as never).subarray(i * S * S, (i + 1) * S * S);
      tiles.push(hconcat([grayCanvas(scene(i), S, S, 3), maskCanvas(set.masks.data.subarray(i * S * S, (i + 1) * S * S), S, S, 3), maskCanvas(pred, S, S, 3)], 2));
    } else if (task === 'detect') {
      const det = decodeGridDetections(output as never, (model as GridDetector).config.anchor, { scoreThreshold: 0.3 });
      const c = grayCanvas(scene(i), S, S, 5);
      for (const o of set.objects[i]) drawBox(c, o.box, [90, 90, 90], 5, 1);
      det[i].boxes.forEach((b, j) => {
        const rgb = CLASS_PALETTE[det[i].labels[j] + 1];
        drawBox(c, b, rgb, 5, 2);
        drawText(c, `${det[i].labels[j]} ${det[i].scores[j].toFixed(2)}`, Math.round(b[0] * 5), Math.max(2, Math.round(b[1] * 5) - 13), rgb);
      });
      tiles.push(c);
    } else {
      const o = output as Record<string, Tensor>;
      const logits = o.logits.data.subarray(i * 10, i * 10 + 10);
      const label = logits.indexOf(Math.max(...logits));
      const c = grayCanvas(scene(i), S, S, 5);
      drawBox(c, set.objects[i][0].box, [90, 90, 90], 5, 1);
      const b = denormalizeBox(o.box.data.subarray(i * 4, i * 4 + 4), S);
      const rgb = label === set.objects[i][0].label ? [44, 200, 44] : [230, 40, 40];
      drawBox(c, b, rgb, 5, 2);
      drawText(c, String(label), Math.round(b[0] * 5), Math.max(2, Math.round(b[1] * 5) - 13), rgb);
      tiles.push(c);
    }
  }
  rows.push(hconcat(tiles, 6));
}
const pic = vconcat(rows, 6);
writeFileSync(out, encodePng(pic.width, pic.height, pic.data));
console.log(`wrote ${out} (${pic.width}×${pic.height})`);
