/*
 * The training loop, in a Web Worker so the page never stalls: it runs steps for
 * about 60 ms at a time, then yields to take messages (pause, new settings) and
 * posts progress; the weights go to the page a few times a second for the views.
 */
import {
  Adam, AdamW, losses, DataLoader, evaluate, getNumThreads, MNIST_MEAN, MNIST_STD, RMSprop, SGD, compose, normalize,
  predictions, randomRotation, randomTranslate, ready, Subset, summary, type BatchTransform, type Batch, type ImageClassificationData, type Module, type Optimizer,
} from '../src/index.js';
import {
  DEFAULT_MODEL, exportWeights, importWeights, loadData, newModel, type DatasetName, type FromWorker, type ModelSpec, type ToWorker, type TrainSettings,
} from './shared.js';

interface WorkerScope {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: FromWorker) => scope.postMessage(m);

const EVAL_EVERY = 50;
/** Test images scored per evaluation: 1,000, fewer for models whose forward passes would take seconds (about 4 G MACs in all). */
const EVAL_MACS = 4e9;
const lossFn = losses.CrossEntropyLoss();

let model: Module = newModel();
let testCount = evalCount(DEFAULT_MODEL);
let dataset: DatasetName = 'mnist';
let optimizer: Optimizer | null = null;
let loader: DataLoader | null = null;
let batches: Iterator<Batch> | null = null;
let settings: TrainSettings | null = null;
let running = false;
let step = 0;
let epoch = 0;

function evalCount(spec: ModelSpec): number {
  const macs = summary(newModel(spec), [1, 1, 28, 28]).totalMacs;
  return Math.max(100, Math.min(1000, Math.floor(EVAL_MACS / macs / 50) * 50));
}

const backendReady = (async () => {
  const backend = await ready({ quiet: true });
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  post({ type: 'ready', backend, threads: backend === 'wasm' ? getNumThreads() : 1, isolated });
})();
backendReady.catch((e: unknown) => post({ type: 'error', message: String((e as Error).message ?? e) }));

/** Each dataset is fetched and decoded once (the whole test split; evaluations take its first testCount images). */
const loaded = new Map<DatasetName, Promise<{ train: ImageClassificationData; test: ImageClassificationData }>>();
function data(name: DatasetName) {
  let d = loaded.get(name);
  if (!d) {
    d = (async () => {
      await backendReady;
      const [train, test] = await Promise.all([loadData(name, 'train'), loadData(name, 'test')]);
      return { train, test };
    })();
    loaded.set(name, d);
  }
  return d;
}
/** Tell the page the dataset is in (it enables Start then). */
async function announce(name: DatasetName): Promise<void> {
  const { train, test } = await data(name);
  post({ type: 'data', dataset: name, trainSize: train.labels.size, testSize: test.labels.size });
}
announce(dataset).catch((e: unknown) => post({ type: 'error', message: String((e as Error).message ?? e) }));
/** Bumped by every reset: a loop that outlives its model posts nothing more. */
let generation = 0;

function makeOptimizer(s: TrainSettings): Optimizer {
  const p = model.parameters();
  if (s.optimizer === 'sgd') return new SGD(p, { lr: s.lr, momentum: 0.9 });
  if (s.optimizer === 'rmsprop') return new RMSprop(p, { lr: s.lr });
  if (s.optimizer === 'adamw') return new AdamW(p, { lr: s.lr });
  return new Adam(p, { lr: s.lr });
}

function augmentation(kind: TrainSettings['augment']): BatchTransform {
  const norm = normalize(MNIST_MEAN, MNIST_STD);
  if (kind === 'shift') return compose(randomTranslate({ maxShift: 2 }), norm);
  if (kind === 'rotate') return compose(randomRotation({ degrees: 12 }), norm);
  return norm;
}

/** New settings: a new optimiser when its kind changed (its moments belong to one rule), else just the rate. */
async function apply(s: TrainSettings): Promise<void> {
  const { train } = await data(dataset);
  if (!optimizer || !settings || settings.optimizer !== s.optimizer) optimizer = makeOptimizer(s);
  for (const g of optimizer.paramGroups) g.lr = s.lr;
  if (!loader || !settings || settings.batchSize !== s.batchSize || settings.seed !== s.seed) {
    loader = new DataLoader(train.dataset(), { batchSize: s.batchSize, shuffle: true, seed: s.seed + epoch, dropLast: true });
    batches = null;
  }
  loader.transform = augmentation(s.augment);
  settings = s;
}

function nextBatch(): Batch {
  let r = batches?.next();
  if (!r || r.done) {
    if (batches) epoch++;
    batches = loader![Symbol.iterator]();
    r = batches.next();
  }
  return r.value as Batch;
}

async function loop(): Promise<void> {
  const gen = generation;
  const { test } = await data(dataset);
  const first = Int32Array.from({ length: Math.min(testCount, test.labels.size) }, (_, i) => i);
  const testLoader = new DataLoader(new Subset(test.dataset(), first), { batchSize: 50, transform: normalize(MNIST_MEAN, MNIST_STD) });
  let lastWeights = 0;
  while (running && gen === generation) {
    const t0 = performance.now();
    let images = 0;
    let lossSum = 0;
    let correct = 0;
    let n = 0;
    model.train();
    while (running && gen === generation && performance.now() - t0 < 60) {
      const b = nextBatch();
      optimizer!.zeroGrad();
      const out = model.call(b.x);
      const l = lossFn(out, b.y);
      l.backward();
      optimizer!.step();
      step++;
      n++;
      images += b.x.shape[0];
      lossSum += l.item();
      const pred = predictions(out);
      for (let i = 0; i < pred.length; i++) if (pred[i] === b.y.data[i]) correct++;
      if (step % EVAL_EVERY === 0) {
        model.eval();
        const r = evaluate(model, testLoader, lossFn, { numClasses: 10 });
        post({ type: 'eval', step, accuracy: r.accuracy, loss: r.loss, count: r.count });
        model.train();
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    if (n > 0) post({ type: 'progress', step, epoch, loss: lossSum / n, accuracy: correct / images, imagesPerSecond: images / seconds, lr: settings!.lr });
    if (performance.now() - lastWeights > 400 || !running) {
      lastWeights = performance.now();
      post({ type: 'weights', step, weights: exportWeights(model) });
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  if (gen !== generation) return;
  // On pause: the test accuracy of exactly the weights the page now holds (and would download).
  model.eval();
  const r = evaluate(model, testLoader, lossFn, { numClasses: 10 });
  post({ type: 'weights', step, weights: exportWeights(model) });
  post({ type: 'eval', step, accuracy: r.accuracy, loss: r.loss, count: r.count });
  post({ type: 'state', running: false, step });
}

scope.onmessage = (e) => {
  const m = e.data;
  void (async () => {
    try {
      if (m.type === 'start' || m.type === 'resume') {
        if (m.type === 'start' && m.weights) importWeights(model, m.weights);
        await apply(m.settings);
        if (running) return;
        running = true;
        post({ type: 'state', running: true, step });
        await loop();
      } else if (m.type === 'pause') {
        running = false;
      } else if (m.type === 'reset') {
        running = false;
        model = newModel(m.model);
        if (m.weights) importWeights(model, m.weights);
        testCount = evalCount(m.model);
        dataset = m.dataset;
        generation++;
        await announce(dataset);
        optimizer = null;
        loader = null;
        batches = null;
        settings = null;
        step = 0;
        epoch = 0;
        post({ type: 'weights', step, weights: exportWeights(model) });
        post({ type: 'state', running: false, step });
      }
    } catch (err) {
      running = false;
      post({ type: 'error', message: String((err as Error).message ?? err) });
      post({ type: 'state', running: false, step });
    }
  })();
};
