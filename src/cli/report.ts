/**
 * `receptive report <checkpoint>`: one self-contained HTML page about a trained
 * classifier: summary, curves, test accuracy and confusion matrix, kernels,
 * feature maps of a test image, top-9 patches, Grad-CAM and occlusion.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ArgumentError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { softmax } from '../ops/index.js';
import { summary, type Conv2d } from '../nn/index.js';
import type { AnyModule } from '../nn/module.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { DataLoader, normalize, MNIST_MEAN, MNIST_STD } from '../data/index.js';
import { resize } from '../data/image.js';
import { encodePng } from '../data/image-node.js';
import { evaluate } from '../train/index.js';
import { readFileChecked, writeFileAtomic } from '../io/atomic.js';
import { featureMapGrid, featureMaps, kernelImages, moduleAt } from '../viz/inspect.js';
import { gradCam, occlusion } from '../viz/attribution.js';
import { featureLayers, topPatchesFigure } from '../viz/patches.js';
import { grid, mapToImage, toRGB } from '../viz/render.js';
import { parseMetricsLog, trainingCurvesSvg } from '../viz/curves.js';
import { confusionMatrixSvg } from '../viz/svg.js';
import { reportHtml, type ReportSection } from '../viz/report.js';
import { loadModel } from './commands.js';
import { checkpointData, loadSplit } from './setup.js';

export interface ReportOptions {
  /** An .html file, or a directory to write report.html into. Default: report.html beside the checkpoint. */
  out?: string;
  /** The metrics log (JSONL/CSV); default the one the run recorded, if it is still there. */
  log?: string;
  dataDir?: string;
  /** Test images for accuracy and top-9 patches. Default 1000. */
  limit?: number;
  /** Test images explained with Grad-CAM and occlusion. Default 4. */
  samples?: number;
  /** Channels shown as top-9 patches per layer. Default 4. */
  channels?: number;
}

const png = (t: Tensor) => `data:image/png;base64,${encodePng(t).toString('base64')}`;

function outFile(checkpoint: string, out?: string): string {
  if (!out) return join(dirname(resolve(checkpoint)), 'report.html');
  if (out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory())) return join(out, 'report.html');
  return out;
}

/** The curves section: from the metrics log if there is one, else the per-epoch history the checkpoint keeps. */
function curvesSection(logPath: string | undefined, history: { epoch: number; trainLoss: number; trainAccuracy: number; valLoss?: number; valAccuracy?: number }[]): ReportSection {
  if (logPath && existsSync(logPath)) {
    const records = parseMetricsLog(new TextDecoder().decode(readFileChecked(logPath)), logPath);
    if (records.length) return { heading: 'Training curves', text: [`From the metrics log ${logPath} (${records.length} records).`], figures: [{ svg: trainingCurvesSvg(records), caption: 'Loss, accuracy and learning rate against the optimiser step.' }] };
  }
  const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(2)}%`);
  return {
    heading: 'Training curves',
    text: [logPath ? `The metrics log ${logPath} is not there; the per-epoch history the checkpoint keeps follows.` : 'The run kept no metrics log (train with --log metrics.jsonl for curves); the per-epoch history the checkpoint keeps follows.'],
    table: { head: ['epoch', 'train loss', 'train accuracy', 'val loss', 'val accuracy'], rows: history.map((h) => [h.epoch + 1, h.trainLoss.toFixed(4), pct(h.trainAccuracy), h.valLoss?.toFixed(4) ?? '', pct(h.valAccuracy)]) },
  };
}

export async function runReport(checkpoint: string, opts: ReportOptions = {}): Promise<string> {
  const { model, info } = await loadModel(checkpoint);
  const data = checkpointData(info, { dataDir: opts.dataDir }, 'report');
  const limit = opts.limit ?? 1000;
  const test = loadSplit(data, 'test', limit);
  const names = test.classNames;
  const n = test.labels.size;
  // The CLI trains on 28×28 grey images; zoo models adapt them with a pre-hook recorded in the checkpoint.
  const [h, w] = [test.images.shape[2], test.images.shape[3]];
  const raw = new Tensor(Float32Array.from(test.raw.subarray(0, n * h * w), (v) => v / 255), [n, 1, h, w]);
  const norm = normalize(MNIST_MEAN, MNIST_STD);
  const transform = (x: Tensor) => norm(x, new RNG(0));
  const image = (i: number) => new Tensor(raw.data.slice(i * h * w, (i + 1) * h * w), [1, 1, h, w]);
  const sections: ReportSection[] = [];

  const settings = info.training?.settings as { log?: string } | undefined;
  sections.push(curvesSection(opts.log ?? settings?.log, info.training?.history ?? []));

  const r = evaluate(model, new DataLoader(test.dataset(), { batchSize: 500, transform: norm }), CrossEntropyLoss(), { numClasses: names.length });
  sections.push({
    heading: 'Test accuracy',
    text: [`${(100 * r.accuracy).toFixed(2)}% on the first ${r.count} ${data.dataset} test images (loss ${r.loss.toFixed(4)}).`],
    figures: [{ svg: confusionMatrixSvg(r.confusion.rows(), names), caption: 'Rows are the true class, columns the predicted one.' }],
  });

  const layers = featureLayers(model, transform(image(0)));
  if (!layers.length) throw new ReceptiveError(`report: ${info.model.name} has no Conv2d layer to show`);
  const convs = layers.slice(0, 2).map((l) => moduleAt(model, l.conv, 'report') as unknown as Conv2d);
  sections.push({
    heading: 'Kernels',
    text: ['Red weights are positive, blue negative, white zero; one scale per layer. For a layer with several input channels, row = output channel, column = input channel.'],
    figures: convs.filter((k) => k.weight.shape[0] * k.weight.shape[1] <= 256).map((k, i) => ({ src: png(kernelImages(k, { scale: Math.max(2, Math.floor(40 / k.weight.shape[2])) })), caption: `${layers[i].conv}: weight [${k.weight.shape.join(', ')}]` })),
  });

  const shown = [layers[0], layers[Math.floor((layers.length - 1) / 2)], layers[layers.length - 1]].filter((l, i, a) => a.indexOf(l) === i);
  const maps = featureMaps(model, transform(image(0)), { layers: shown.map((l) => l.layer) });
  sections.push({
    heading: 'Feature maps',
    text: [`Test image 0 (label ${names[test.labels.data[0]]}) through the model; viridis, each map on its own scale.`],
    figures: [{ src: png(toRGB(new Tensor(image(0).data, [1, h, w]), 4)), caption: 'input' }, ...shown.map((l) => {
      const m = maps[l.layer];
      return { src: png(featureMapGrid(m, { scale: Math.max(1, Math.floor(56 / Math.max(m.shape[2], m.shape[3]))), cols: Math.min(8, m.shape[1]) })), caption: `${l.layer}: [${m.shape.join(', ')}]` };
    })],
  });

  const patchFigures = [];
  for (const l of [layers[0], layers[layers.length - 1]].filter((x, i, a) => a.indexOf(x) === i)) {
    const C = maps[l.layer]?.shape[1] ?? featureMaps(model, transform(image(0)), { layers: [l.layer] })[l.layer].shape[1];
    for (let ch = 0; ch < Math.min(C, opts.channels ?? 4); ch++) {
      let f;
      try {
        f = topPatchesFigure(model, raw, { layer: l.layer, channel: ch, transform });
      } catch (e) {
        // The deconvnet projects through plain Conv2d/ReLU/MaxPool chains only: show the patches alone otherwise.
        if (!(e instanceof ArgumentError)) throw e;
        f = topPatchesFigure(model, raw, { layer: l.layer, channel: ch, transform, projections: false });
      }
      patchFigures.push({ src: png(f.figure), caption: `${l.layer} channel ${ch}: receptive field ${f.extent.rf.join('×')}; image index and activation under each patch` });
    }
  }
  sections.push({ heading: 'Top-9 patches', text: [`Zeiler & Fergus's view: for each feature map, the 9 of the ${n} test images where it peaks highest, cut to the receptive field of the peak, beside the deconvnet projection of that activation (red positive, blue negative).`], figures: patchFigures });

  const rows: Tensor[] = [];
  const labels: string[] = [];
  const fill = (0 - MNIST_MEAN) / MNIST_STD;
  const camLayer = layers[layers.length - 1].layer;
  for (let i = 0; i < Math.min(n, opts.samples ?? 4); i++) {
    const x = transform(image(i));
    const p = noGrad(() => softmax((model as AnyModule).call(x) as Tensor, -1));
    const g = gradCam(model, x, { layer: camLayer });
    const o = occlusion(model, x, { window: Math.max(2, Math.round(w / 5)), stride: Math.max(1, Math.round(w / 14)), fill });
    const up = (t: Tensor) => mapToImage(resize(t, [4 * h, 4 * w], { antialias: false }));
    rows.push(toRGB(new Tensor(image(i).data, [1, h, w]), 4), up(g.upsampled), up(o.probability));
    labels.push(`${names[test.labels.data[i]]}`, `cam ${names[g.target]} ${(100 * p.data[g.target]).toFixed(0)}%`, `occl p(${names[o.target]})`);
  }
  sections.push({ heading: 'Grad-CAM and occlusion', text: [`Grad-CAM at ${camLayer} for the predicted class (bright: evidence for it); occlusion: the predicted class's probability with a grey square over each place (dark: covering it costs the most).`], figures: [{ src: png(grid(rows, { cols: 3, labels })), caption: 'Each row: test image and its label, Grad-CAM, occlusion map.' }] });

  const file = outFile(checkpoint, opts.out);
  const html = reportHtml({
    title: `Receptive report: ${info.model.name} on ${data.dataset}`,
    facts: [['checkpoint', checkpoint], ['model', info.model.name], ['dataset', data.dataset], ['test accuracy', `${(100 * r.accuracy).toFixed(2)}% (${r.count} images)`], ['steps trained', String(info.training?.step ?? 'unknown')]],
    summary: summary(model, [1, 1, h, w]),
    sections,
  });
  writeFileAtomic(file, new TextEncoder().encode(html));
  return `wrote ${file} (${(html.length / 1024).toFixed(0)} KB; test accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.count} images)`;
}
