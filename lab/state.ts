/** The page's shared state: the model the views show, where it came from, and the current input digit. */
import { MNIST_MEAN, MNIST_STD, noGrad, normalize, RNG, softmax, Tensor, type Module } from '../src/index.js';
import { newModel } from './shared.js';

type Listener = () => void;

class LabState {
  model: Module = newModel();
  modelConfig: Record<string, unknown> = { variant: 'modern' };
  /** What the model is: untrained, trained here (step n), or a loaded file. */
  source = 'untrained LeNet-5 (random initial weights)';
  /** The current input, 28×28 in [0, 1] (ink = 1), from the canvas or an MNIST test image. */
  input: Float32Array | null = null;
  inputLabel = '';
  private listeners = new Set<Listener>();
  constructor() {
    this.model.eval();
  }
  on(f: Listener): void {
    this.listeners.add(f);
  }
  changed(): void {
    for (const f of this.listeners) f();
  }
  setModel(m: Module, source: string, config: Record<string, unknown>): void {
    this.model = m;
    this.model.eval();
    this.source = source;
    this.modelConfig = config;
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
