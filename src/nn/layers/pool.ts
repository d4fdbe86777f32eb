import { ArgumentError, type Tensor } from '../../tensor/index.js';
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../../ops/index.js';
import { pair } from '../../ops/util.js';
import { Module } from '../module.js';
import { jsonConfig, layerConfig, optionalBool, optionalPair } from './config.js';

type Size = number | [number, number];

interface WindowConfig {
  kernelSize: Size;
  stride?: Size;
  padding?: Size;
  ceilMode?: boolean;
}

/** The window checks of both pools: sizes, and padding at most half the kernel (as PyTorch requires). */
function checkWindow(layer: string, c: WindowConfig & { dilation?: Size }): void {
  const k = pair(layer, 'kernelSize', c.kernelSize, 1);
  optionalPair(layer, 'stride', c.stride, 1);
  optionalPair(layer, 'dilation', c.dilation, 1);
  const p = c.padding === undefined ? [0, 0] : pair(layer, 'padding', c.padding, 0);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) throw new ArgumentError(layer, `padding ${JSON.stringify(c.padding)} must be at most half the kernel ${JSON.stringify(c.kernelSize)}`);
  optionalBool(layer, 'ceilMode', c.ceilMode);
}

export interface MaxPool2dConfig extends WindowConfig {
  dilation?: Size;
}

/** Max pooling; stride < kernelSize gives AlexNet's overlapping pooling. */
export class MaxPool2d extends Module {
  static override readonly typeName = 'MaxPool2d';
  readonly config: Readonly<MaxPool2dConfig>;
  constructor(config: MaxPool2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<MaxPool2dConfig>('MaxPool2d', config, ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'], '{ kernelSize: 2 }', rest[0]);
    checkWindow('MaxPool2d', c);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return maxPool2d(x, this.config);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.config.kernelSize)}, stride=${JSON.stringify(this.config.stride ?? this.config.kernelSize)}`;
  }
}

export interface AvgPool2dConfig extends WindowConfig {
  countIncludePad?: boolean;
}

export class AvgPool2d extends Module {
  static override readonly typeName = 'AvgPool2d';
  readonly config: Readonly<AvgPool2dConfig>;
  constructor(config: AvgPool2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<AvgPool2dConfig>('AvgPool2d', config, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'], '{ kernelSize: 2 }', rest[0]);
    checkWindow('AvgPool2d', c);
    optionalBool('AvgPool2d', 'countIncludePad', c.countIncludePad);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return avgPool2d(x, this.config);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.config.kernelSize)}, stride=${JSON.stringify(this.config.stride ?? this.config.kernelSize)}`;
  }
}

export interface AdaptiveAvgPool2dConfig {
  outputSize: Size;
}

/** Average pooling to a fixed output size whatever the input size (ResNet's, GoogLeNet's head). */
export class AdaptiveAvgPool2d extends Module {
  static override readonly typeName = 'AdaptiveAvgPool2d';
  readonly config: Readonly<AdaptiveAvgPool2dConfig>;
  constructor(config: AdaptiveAvgPool2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<AdaptiveAvgPool2dConfig>('AdaptiveAvgPool2d', config, ['outputSize'], '{ outputSize: 1 }', rest[0]);
    pair('AdaptiveAvgPool2d', 'outputSize', c.outputSize, 1);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return adaptiveAvgPool2d(x, this.config.outputSize);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.config.outputSize)}`;
  }
}

/** Mean over each whole feature map: [N, C, H, W] → [N, C, 1, 1]. */
export class GlobalAvgPool2d extends Module {
  static override readonly typeName = 'GlobalAvgPool2d';
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return globalAvgPool2d(x);
  }
}

export class GlobalMaxPool2d extends Module {
  static override readonly typeName = 'GlobalMaxPool2d';
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return globalMaxPool2d(x);
  }
}
