/** The page's shared state: the model the views show, where it came from, the dataset, and the current input. */
import { MNIST_MEAN, MNIST_STD, noGrad, normalize, RNG, softmax, Tensor, type ImageClassificationData, type Module } from '../src/index.js';
import { DATASETS, DEFAULT_MODEL, loadData, modelLabel, newModel, type DatasetName, type ModelSpec } from './shared.js';

type Listener = () => void;

class LabState {
  model: Module = newModel();
  spec: ModelSpec = DEFAULT_MODEL;
  /** The dataset the model is (to be) trained on: its class names label the outputs. */
  dataset: DatasetName = 'mnist';
  /** What the model is: untrained, trained here (step n), or a loaded file. */
  source = `untrained ${modelLabel(DEFAULT_MODEL)} (random initial weights)`;
  /** The current input, 28×28 in [0, 1] (ink = 1), from the canvas or a test image. */
  input: Float32Array | null = null;
  inputLabel = '';
  private listeners = new Set<Listener>();
  private tests = new Map<DatasetName, Promise<ImageClassificationData>>();
  constructor() {
    this.model.eval();
  }
  get classNames(): readonly string[] {
    return DATASETS[this.dataset].classes;
  }
  /** The current dataset's test split (fetched once per dataset). */
  testData(): Promise<ImageClassificationData> {
    let t = this.tests.get(this.dataset);
    if (!t) this.tests.set(this.dataset, (t = loadData(this.dataset, 'test')));
    return t;
  }
  on(f: Listener): void {
    this.listeners.add(f);
  }
  changed(): void {
    for (const f of this.listeners) f();
  }
  setModel(m: Module, source: string, spec: ModelSpec, dataset: DatasetName = this.dataset): void {
    this.model = m;
    this.model.eval();
    this.source = source;
    this.spec = spec;
    this.dataset = dataset;
    this.changed();
  }
  /** The input normalised as in training, [1, 1, 28, 28]. */
  inputTensor(): Tensor | null {
    if (!this.input) return null;
    return normalize(MNIST_MEAN, MNIST_STD)(new Tensor(Float32Array.from(this.input), [1, 1, 28, 28]), new RNG(0));
  }
  probabilities(): Float32Array | null {
    const x = this.inputTensor();
    if (!x) return null;
    return noGrad(() => softmax(this.model.call(x), -1)).data as Float32Array;
  }
}

export const state = new LabState();
