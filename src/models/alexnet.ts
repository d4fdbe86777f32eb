import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { flatten } from '../ops/index.js';
import {
  AdaptiveAvgPool2d, Conv2d, Dropout, Linear, LocalResponseNorm, MaxPool2d, Module, ReLU, Sequential,
  constant_, normal_, registerModuleType,
} from '../nn/index.js';
import { jsonConfig, layerConfig, optionalNumber, positiveInt } from '../nn/layers/config.js';
import { checkInputSize, type ShrinkingLayer } from './input-size.js';

export interface AlexNetConfig {
  /**
   * 'torchvision' (default): the single-tower form torchvision ships (64/192/384/256/256
   * channels, no LRN, 61,100,840 parameters at 1000 classes).
   * 'original': Krizhevsky et al. 2012 as the paper draws it (see AlexNet).
   */
  variant?: 'torchvision' | 'original';
  numClasses?: number;
  inChannels?: number;
  /** Dropout probability in the classifier (0.5 in both forms). */
  dropout?: number;
  rng?: RNG;
}

const KEYS = ['variant', 'numClasses', 'inChannels', 'dropout', 'rng'] as const;

/**
 * The paper's LRN, b = a / (k + α·Σ a²)^β over n = 5 neighbouring channels with
 * k = 2, α = 1e-4, β = 0.75. LocalResponseNorm (as PyTorch's) divides α by the
 * window size, so the paper's α is passed as α·n.
 */
const PAPER_LRN = { size: 5, alpha: 1e-4 * 5, beta: 0.75, k: 2 };

/**
 * AlexNet. The default is torchvision's single-tower form (features, avgpool,
 * classifier, the same keys and shapes as torchvision.models.alexnet, PyTorch's
 * default initialisation as torchvision leaves it).
 *
 * `variant: 'original'` is the 2012 network: conv1 96@11×11/4 → ReLU → LRN →
 * max pool 3×3/2 (overlapping) → conv2 256@5×5 in two groups → ReLU → LRN → pool
 * → conv3 384@3×3 (across both groups) → conv4 384@3×3 in two groups → conv5
 * 256@3×3 in two groups → ReLU → pool → fc6 4096 → fc7 4096 (each followed by
 * ReLU and dropout 0.5) → fc8. The groups are the paper's two GPUs: conv2, conv4
 * and conv5 only see the kernel maps of their own GPU. Its input is 227×227
 * without padding: (227 − 11)/4 + 1 = 55 is the paper's 55×55×96 first layer
 * (its "224×224" does not give an integer; Caffe's reference model crops 227),
 * and the last pool then gives the 6×6×256 = 9216 inputs of fc6. The adaptive
 * average pool to 6×6 is the identity at 227 (and lets other sizes through, as
 * torchvision's). Weights are the paper's: N(0, 0.01), biases 1 in conv2, conv4,
 * conv5 and the hidden fully-connected layers, 0 elsewhere.
 */
export class AlexNet extends Module {
  static override readonly typeName = 'AlexNet';
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;
  readonly config: Readonly<Required<Omit<AlexNetConfig, 'rng'>>>;
  constructor(config: AlexNetConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<AlexNetConfig>('AlexNet', config, KEYS, "{ variant: 'original', numClasses: 10 }", rest[0]);
    const variant = c.variant ?? 'torchvision';
    if (variant !== 'torchvision' && variant !== 'original') throw new ArgumentError('AlexNet', `variant must be 'torchvision' or 'original', got ${JSON.stringify(variant)}`);
    const numClasses = positiveInt('AlexNet', 'numClasses', c.numClasses ?? 1000);
    const inChannels = positiveInt('AlexNet', 'inChannels', c.inChannels ?? 3);
    optionalNumber('AlexNet', 'dropout', c.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
    const p = c.dropout ?? 0.5;
    this.config = { variant, numClasses, inChannels, dropout: p };
    const rng = c.rng;
    const conv = (i: number, o: number, k: number, stride: number, padding: number, groups = 1) => new Conv2d({ inChannels: i, outChannels: o, kernelSize: k, stride, padding, groups, rng });
    const pool = () => new MaxPool2d({ kernelSize: 3, stride: 2 });
    const fc = (i: number, o: number) => new Linear({ inFeatures: i, outFeatures: o, rng });
    const drop = () => new Dropout({ p, rng });
    if (variant === 'torchvision') {
      this.features = new Sequential(
        conv(inChannels, 64, 11, 4, 2), new ReLU(), pool(),
        conv(64, 192, 5, 1, 2), new ReLU(), pool(),
        conv(192, 384, 3, 1, 1), new ReLU(),
        conv(384, 256, 3, 1, 1), new ReLU(),
        conv(256, 256, 3, 1, 1), new ReLU(), pool(),
      );
      this.avgpool = new AdaptiveAvgPool2d({ outputSize: 6 });
      this.classifier = new Sequential(drop(), fc(256 * 6 * 6, 4096), new ReLU(), drop(), fc(4096, 4096), new ReLU(), fc(4096, numClasses));
    } else {
      this.features = new Sequential(
        conv(inChannels, 96, 11, 4, 0), new ReLU(), new LocalResponseNorm(PAPER_LRN), pool(),
        conv(96, 256, 5, 1, 2, 2), new ReLU(), new LocalResponseNorm(PAPER_LRN), pool(),
        conv(256, 384, 3, 1, 1), new ReLU(),
        conv(384, 384, 3, 1, 1, 2), new ReLU(),
        conv(384, 256, 3, 1, 1, 2), new ReLU(), pool(),
      );
      this.avgpool = new AdaptiveAvgPool2d({ outputSize: 6 });
      this.classifier = new Sequential(fc(256 * 6 * 6, 4096), new ReLU(), drop(), fc(4096, 4096), new ReLU(), drop(), fc(4096, numClasses));
      this.paperInit(rng);
    }
  }

  /** Krizhevsky et al. §5: weights N(0, 0.01); biases 1 in conv2, conv4, conv5 and fc6, fc7 (early ReLUs get positive inputs), 0 elsewhere. */
  private paperInit(rng?: RNG): void {
    const convs = this.features.layers.filter((l): l is Conv2d => l instanceof Conv2d);
    const fcs = this.classifier.layers.filter((l): l is Linear => l instanceof Linear);
    const ones = new Set<Module>([convs[1], convs[3], convs[4], fcs[0], fcs[1]]);
    for (const m of [...convs, ...fcs]) {
      normal_(m.weight, 0, 0.01, rng);
      if (m.bias) constant_(m.bias, ones.has(m) ? 1 : 0);
    }
  }

  /** The layers that shrink the maps, for the minimum-size check. */
  private shrinking(): ShrinkingLayer[] {
    return this.features.layers.filter((l): l is ShrinkingLayer => l instanceof Conv2d || l instanceof MaxPool2d);
  }

  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    checkInputSize(this, this.shrinking(), x);
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

registerModuleType(AlexNet);
