/*
 * Feature networks for style transfer, each with its usual layers:
 * - VGG-19 (Gatys et al.): style on relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, content on relu4_2;
 * - MobileNetV2 (Keras layer names, as in the TF.js model nsfwjs ships): the expand layers of
 *   blocks at strides 2 to 16, content on a stride-16 block;
 * - a random-weight multi-scale network (Ustyuzhaninov et al. 2017: random filters at
 *   several scales synthesise textures), which needs no weights at all.
 */
import { Tensor } from '../tensor/index.js';
import { div, sub } from '../ops/index.js';
import { RNG } from '../tensor/index.js';
import { Module } from '../nn/module.js';
import { AvgPool2d } from '../nn/layers/pool.js';
import { Conv2d } from '../nn/layers/conv.js';
import { ReLU } from '../nn/layers/activation.js';
import { Sequential } from '../nn/containers.js';
import type { AnyModule } from '../nn/module.js';
import { FeatureExtractor } from './style-transfer.js';

export interface StyleNetwork {
  name: string;
  extractor: FeatureExtractor;
  contentLayer: string;
  styleLayers: string[];
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
/** torchvision's input normalisation, for images in [0, 1]. */
export function imagenetNormalize(x: Tensor): Tensor {
  return div(sub(x, new Tensor(Float32Array.from(IMAGENET_MEAN), [1, 3, 1, 1])), new Tensor(Float32Array.from(IMAGENET_STD), [1, 3, 1, 1]));
}

export interface RandomMultiScaleConfig {
  /** Filters per scale (default 96). */
  channels?: number;
  /** Kernel size at every scale (default 5). */
  kernelSize?: number;
  seed?: number;
}

/**
 * Random 5×5 filters on an image pyramid: `scale1` sees the image, `scale2` to
 * `scale8` see it average-pooled 2, 4 and 8 times, so one layer of random filters
 * covers 5 to 40 pixels; `deep` is a second random layer on `scale4`, for content.
 */
export class RandomMultiScale extends Module<[Tensor], Tensor[]> {
  static override readonly typeName = 'RandomMultiScale';
  scale1: Sequential;
  scale2: Sequential;
  scale4: Sequential;
  scale8: Sequential;
  deep: Sequential;
  constructor(readonly config: RandomMultiScaleConfig = {}) {
    super();
    const c = config.channels ?? 96, k = config.kernelSize ?? 5;
    const rng = new RNG(config.seed ?? 0);
    const conv = (inC: number, kk: number) => new Conv2d({ inChannels: inC, outChannels: c, kernelSize: kk, padding: Math.floor(kk / 2), rng });
    this.scale1 = new Sequential(conv(3, k), new ReLU());
    const pooled = (f: number) => new Sequential(new AvgPool2d({ kernelSize: f, stride: f }), conv(3, k), new ReLU());
    this.scale2 = pooled(2);
    this.scale4 = pooled(4);
    this.scale8 = pooled(8);
    this.deep = new Sequential(conv(c, 3), new ReLU());
  }
  forward(x: Tensor): Tensor[] {
    const s4 = this.scale4.call(x);
    return [this.scale1.call(x), this.scale2.call(x), s4, this.scale8.call(x), this.deep.call(s4)];
  }
  override toConfig(): Record<string, unknown> {
    return { ...this.config };
  }
}

/** The dependency-free network: random multi-scale filters, ImageNet-normalised input. */
export function randomStyleNetwork(config: RandomMultiScaleConfig = {}): StyleNetwork {
  const styleLayers = ['scale1', 'scale2', 'scale4', 'scale8'];
  const model = new RandomMultiScale(config);
  return { name: 'random', contentLayer: 'deep', styleLayers, extractor: new FeatureExtractor(model, [...styleLayers, 'deep'], { preprocess: imagenetNormalize }) };
}

/** torchvision's VGG-19 `features` indices of relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, and relu4_2 for content. */
export const VGG19_STYLE_LAYERS = ['features.1', 'features.6', 'features.11', 'features.20', 'features.29'];
export const VGG19_CONTENT_LAYER = 'features.22';

/** A VGG-19 (zoo `vgg19`, torchvision weights loaded) as Gatys et al. used it. */
export function vggStyleNetwork(vgg: AnyModule): StyleNetwork {
  return { name: 'vgg19', contentLayer: VGG19_CONTENT_LAYER, styleLayers: [...VGG19_STYLE_LAYERS], extractor: new FeatureExtractor(vgg, [...VGG19_STYLE_LAYERS, VGG19_CONTENT_LAYER], { preprocess: imagenetNormalize }) };
}

/** MobileNetV2 (Keras names), batch-norm outputs read through ReLU: inputs in [0, 1] as nsfwjs feeds them. */
export const MOBILENET_STYLE_LAYERS = ['bn_Conv1', 'block_1_expand_BN', 'block_3_expand_BN', 'block_6_expand_BN', 'block_13_expand_BN'];
export const MOBILENET_CONTENT_LAYER = 'block_10_expand_BN';

export function mobilenetStyleNetwork(model: AnyModule): StyleNetwork {
  return { name: 'mobilenet', contentLayer: MOBILENET_CONTENT_LAYER, styleLayers: [...MOBILENET_STYLE_LAYERS], extractor: new FeatureExtractor(model, [...MOBILENET_STYLE_LAYERS, MOBILENET_CONTENT_LAYER], { relu: true }) };
}

/** Any module with chosen layers (module paths). */
export function customStyleNetwork(model: AnyModule, contentLayer: string, styleLayers: string[], opts: { preprocess?: (x: Tensor) => Tensor; relu?: boolean } = {}): StyleNetwork {
  return { name: model.typeName, contentLayer, styleLayers, extractor: new FeatureExtractor(model, [...styleLayers, contentLayer], opts) };
}
