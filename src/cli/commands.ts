import { existsSync } from 'node:fs';
import { ArgumentError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { softmax } from '../ops/index.js';
import { createModel, getModelEntry, listModels } from '../models/index.js';
import { summary } from '../nn/index.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { DataLoader, loadMNIST, normalize, MNIST_MEAN, MNIST_STD, MNIST_CLASSES } from '../data/index.js';
import { evaluate } from '../train/index.js';
import { readCheckpoint } from '../train/checkpoint-node.js';
import { imageToMnistTensor } from './images.js';

/** Rebuild the model a checkpoint names and load its weights. */
export function loadModel(path: string) {
  const { tensors, info } = readCheckpoint(path);
  const model = createModel(info.model.name, info.model.config);
  model.loadStateDict(tensors);
  model.eval();
  return { model, info };
}

export function runEval(checkpoint: string, opts: { dataDir?: string; limit?: number }): string {
  const { model } = loadModel(checkpoint);
  const test = loadMNIST({ dir: opts.dataDir, split: 'test', limit: opts.limit });
  const loader = new DataLoader(test.dataset(), { batchSize: 500, transform: normalize(MNIST_MEAN, MNIST_STD) });
  const r = evaluate(model, loader, CrossEntropyLoss(), { numClasses: test.classNames.length, topK: [1, 3] });
  const per = r.confusion.perClassAccuracy();
  return [
    `Test accuracy: ${(100 * r.accuracy).toFixed(2)}% on ${r.count} images (loss ${r.loss.toFixed(4)})`,
    'Per-class accuracy:',
    ...per.map((a, i) => `  ${test.classNames[i]}: ${(100 * a).toFixed(2)}%`),
    'Confusion matrix (rows: true class, columns: predicted):',
    r.confusion.toString(test.classNames),
  ].join('\n');
}

/**
 * Class probabilities for PNG/JPEG images, or for MNIST test samples named
 * `mnist:<index>` (IDX samples of the embedded test set).
 */
export function runPredict(checkpoint: string, inputs: string[], opts: { dataDir?: string; top?: number }): string {
  if (inputs.length === 0) throw new ArgumentError('predict', 'give at least one image file or mnist:<index>');
  const { model } = loadModel(checkpoint);
  const norm = normalize(MNIST_MEAN, MNIST_STD);
  const lines: string[] = [];
  let test: ReturnType<typeof loadMNIST> | null = null;
  for (const input of inputs) {
    let x: Tensor;
    let truth = '';
    const m = /^mnist:(\d+)$/.exec(input);
    if (m) {
      test ??= loadMNIST({ dir: opts.dataDir, split: 'test' });
      const i = Number(m[1]);
      if (i >= test.labels.size) throw new ArgumentError('predict', `${input}: the MNIST test set has ${test.labels.size} images (0..${test.labels.size - 1})`);
      x = new Tensor(test.images.data.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
      truth = ` (label ${test.labels.data[i]})`;
    } else {
      if (!existsSync(input)) throw new ReceptiveError(`image ${input} does not exist`);
      x = imageToMnistTensor(input);
    }
    const p = noGrad(() => softmax(model.call(norm(x, new RNG(0))), -1));
    const probs = Array.from(p.data);
    const order = probs.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
    lines.push(`${input}${truth}: predicted ${MNIST_CLASSES[order[0][1]]} (${(100 * order[0][0]).toFixed(2)}%)`);
    lines.push('  ' + probs.map((v, i) => `${MNIST_CLASSES[i]}: ${v.toFixed(4)}`).join('  '));
  }
  return lines.join('\n');
}

export function runSummary(name: string, inputShape?: number[]): string {
  if (!listModels().includes(name)) throw new ArgumentError('summary', `unknown model "${name}" (known: ${listModels().join(', ')})`);
  const entry = getModelEntry(name);
  return summary(createModel(name), inputShape ?? entry.inputShape).toString();
}
