import { existsSync } from 'node:fs';
import { ArgumentError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { softmax } from '../ops/index.js';
import { createModel, getModelEntry, listModels } from '../models/index.js';
import { summary } from '../nn/index.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { DataLoader, normalize, MNIST_MEAN, MNIST_STD, MNIST_CLASSES, FASHION_MNIST_CLASSES, type ImageClassificationData } from '../data/index.js';
import { evaluate } from '../train/index.js';
import { readCheckpoint } from '../train/checkpoint-node.js';
import { imageToMnistTensor } from './images.js';
import { buildModel, checkpointData, loadSplit } from './setup.js';

/** Rebuild the model a checkpoint names (a registered model, or the module file it came from) and load its weights. */
export async function loadModel(path: string) {
  const { tensors, info } = readCheckpoint(path);
  const model = await buildModel(info.model);
  model.loadStateDict(tensors);
  model.eval();
  return { model, info };
}

export interface DataFlags {
  dataset?: string;
  dataDir?: string;
}

export async function runEval(checkpoint: string, opts: DataFlags & { limit?: number }): Promise<string> {
  const { model, info } = await loadModel(checkpoint);
  const data = checkpointData(info, opts, 'eval');
  const test = loadSplit(data, 'test', opts.limit);
  const loader = new DataLoader(test.dataset(), { batchSize: 500, transform: normalize(MNIST_MEAN, MNIST_STD) });
  const r = evaluate(model, loader, CrossEntropyLoss(), { numClasses: test.classNames.length, topK: [1, 3] });
  const per = r.confusion.perClassAccuracy();
  return [
    `Test accuracy: ${(100 * r.accuracy).toFixed(2)}% on ${r.count} ${data.dataset} test images (loss ${r.loss.toFixed(4)})`,
    'Per-class accuracy:',
    ...per.map((a, i) => `  ${test.classNames[i].padEnd(12)} ${(100 * a).toFixed(2)}%`),
    'Confusion matrix (rows: true class, columns: predicted):',
    r.confusion.toString(test.classNames.map((n) => n.slice(0, 6))),
  ].join('\n');
}

export interface PredictResult {
  /** Results of the inputs that worked, in input order. */
  lines: string[];
  /** One line per input that failed (and per blank image, a warning). */
  errors: string[];
  warnings: string[];
}

/**
 * Class probabilities for PNG/JPEG images, or for test samples of the
 * checkpoint's dataset named `<dataset>:<index>` (`mnist:0`, `fashion-mnist:0`).
 * Every input is tried: a bad one is reported and the others still answered.
 */
export async function runPredict(checkpoint: string, inputs: string[], opts: DataFlags): Promise<PredictResult> {
  if (inputs.length === 0) throw new ArgumentError('predict', 'give at least one image file or <dataset>:<index>');
  const { model, info } = await loadModel(checkpoint);
  const data = checkpointData(info, opts, 'predict');
  const norm = normalize(MNIST_MEAN, MNIST_STD);
  const out: PredictResult = { lines: [], errors: [], warnings: [] };
  let test: ImageClassificationData | null = null;
  let classNames: readonly string[] = info.dataset?.classNames ?? (data.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES);
  for (const input of inputs) {
    try {
      let x: Tensor;
      let truth = '';
      const m = /^([a-z-]+):(\d+)$/.exec(input);
      if (m && !existsSync(input)) {
        if (m[1] !== data.dataset) throw new ArgumentError('predict', `${input}: the checkpoint was trained on ${data.dataset}; name its test samples ${data.dataset}:<index>`);
        test ??= loadSplit(data, 'test');
        classNames = test.classNames;
        const i = Number(m[2]);
        const [h, w] = [test.images.shape[2], test.images.shape[3]];
        if (i >= test.labels.size) throw new ArgumentError('predict', `${input}: the ${data.dataset} test set has ${test.labels.size} images (0..${test.labels.size - 1})`);
        x = new Tensor(Float32Array.from(test.raw.subarray(i * h * w, (i + 1) * h * w), (v) => v / 255), [1, 1, h, w]);
        truth = ` (label ${classNames[test.labels.data[i]]})`;
      } else {
        if (!existsSync(input)) throw new ReceptiveError(`image ${input} does not exist`);
        const img = imageToMnistTensor(input);
        if (img.blank) out.warnings.push(`warning: ${input} looks blank (all pixels about the same); the prediction means little`);
        x = img.tensor;
      }
      const p = noGrad(() => softmax(model.call(norm(x, new RNG(0))), -1));
      const probs = Array.from(p.data);
      const name = (i: number) => classNames[i] ?? String(i);
      const order = probs.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
      out.lines.push(`${input}${truth}: predicted ${name(order[0][1])} (${(100 * order[0][0]).toFixed(2)}%)`);
      out.lines.push('  ' + probs.map((v, i) => `${name(i)}: ${v.toFixed(4)}`).join('  '));
    } catch (e) {
      if (!(e instanceof ReceptiveError)) throw e;
      out.errors.push(e.message);
    }
  }
  return out;
}

export function runSummary(name: string, inputShape?: number[]): string {
  if (!listModels().includes(name)) throw new ArgumentError('summary', `unknown model "${name}" (known: ${listModels().join(', ')})`);
  const entry = getModelEntry(name);
  // --input 3x224x224 is one image: a batch of one.
  const shape = inputShape && inputShape.length === 3 ? [1, ...inputShape] : inputShape;
  return summary(createModel(name), shape ?? entry.inputShape).toString();
}
