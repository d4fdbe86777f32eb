import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import {
  AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, Tanh,
} from '../nn/index.js';

export interface LeNet5Config {
  /**
   * 'modern' (default): ReLU and max pooling, as people train it today.
   * 'classic': tanh and average pooling, LeCun et al. 1998 (subsampling without
   * its trainable coefficient, and a full C3 connection table).
   */
  variant?: 'modern' | 'classic';
  inChannels?: number;
  numClasses?: number;
  rng?: RNG;
}

/**
 * LeNet-5 as the decks draw it: conv 6@5×5 → pool → conv 16@5×5 → pool →
 * dense 120 → 84 → 10. The 28×28 MNIST digit is zero-padded by 2 to the
 * original 32×32, so C1 gives 6@28×28, S2 6@14×14, C3 16@10×10, S4 16@5×5.
 */
export class LeNet5 extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  readonly config: Required<Omit<LeNet5Config, 'rng'>>;
  constructor(config: LeNet5Config = {}) {
    super();
    const variant = config.variant ?? 'modern';
    if (variant !== 'modern' && variant !== 'classic') throw new ArgumentError('LeNet5', `variant must be 'modern' or 'classic', got ${String(variant)}`);
    const inChannels = config.inChannels ?? 1;
    const numClasses = config.numClasses ?? 10;
    this.config = { variant, inChannels, numClasses };
    const rng = config.rng;
    const act = () => (variant === 'modern' ? new ReLU() : new Tanh());
    const pool = () => (variant === 'modern' ? new MaxPool2d({ kernelSize: 2 }) : new AvgPool2d({ kernelSize: 2 }));
    this.features = this.registerModule(
      'features',
      new Sequential(
        new Conv2d({ inChannels, outChannels: 6, kernelSize: 5, padding: 2, rng }),
        act(),
        pool(),
        new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5, rng }),
        act(),
        pool(),
      ),
    );
    this.classifier = this.registerModule(
      'classifier',
      new Sequential(new Flatten(), new Linear({ inFeatures: 16 * 5 * 5, outFeatures: 120, rng }), act(), new Linear({ inFeatures: 120, outFeatures: 84, rng }), act(), new Linear({ inFeatures: 84, outFeatures: numClasses, rng })),
    );
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 28, 28]);
    return this.classifier.call(this.features.call(x));
  }
}
