import type { Tensor } from '../../tensor/index.js';
import { adaptiveMaxPool1d, avgPool1d, maxPool1d } from '../../ops/pool1d.js';
import { Module } from '../module.js';
import { jsonConfig, layerConfig, optionalBool, positiveInt } from './config.js';

/** Pooling along L of [N, C, L]; see ops/pool1d.ts. */
export interface Pool1dConfig {
  kernelSize: number;
  stride?: number;
  padding?: number;
  ceilMode?: boolean;
}

function check(layer: string, c: Pool1dConfig & { dilation?: number; countIncludePad?: boolean }): void {
  positiveInt(layer, 'kernelSize', c.kernelSize);
  if (c.stride !== undefined) positiveInt(layer, 'stride', c.stride);
  if (c.dilation !== undefined) positiveInt(layer, 'dilation', c.dilation);
  optionalBool(layer, 'ceilMode', c.ceilMode);
  optionalBool(layer, 'countIncludePad', c.countIncludePad);
}

export class MaxPool1d extends Module {
  static override readonly typeName = 'MaxPool1d';
  readonly config: Readonly<Pool1dConfig & { dilation?: number }>;
  constructor(config: Pool1dConfig & { dilation?: number }, ...rest: unknown[]) {
    super();
    const c = layerConfig<Pool1dConfig & { dilation?: number }>('MaxPool1d', config, ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'], '{ kernelSize: 2 }', rest[0]);
    check('MaxPool1d', c);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'L']);
    return maxPool1d(x, this.config);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `kernelSize=${this.config.kernelSize}, stride=${this.config.stride ?? this.config.kernelSize}`;
  }
}

export class AvgPool1d extends Module {
  static override readonly typeName = 'AvgPool1d';
  readonly config: Readonly<Pool1dConfig & { countIncludePad?: boolean }>;
  constructor(config: Pool1dConfig & { countIncludePad?: boolean }, ...rest: unknown[]) {
    super();
    const c = layerConfig<Pool1dConfig & { countIncludePad?: boolean }>('AvgPool1d', config, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'], '{ kernelSize: 2 }', rest[0]);
    check('AvgPool1d', c);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'L']);
    return avgPool1d(x, this.config);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `kernelSize=${this.config.kernelSize}, stride=${this.config.stride ?? this.config.kernelSize}`;
  }
}

/** Adaptive max pooling to outputSize positions; outputSize 1 (the default) is max-over-time pooling. */
export class AdaptiveMaxPool1d extends Module {
  static override readonly typeName = 'AdaptiveMaxPool1d';
  readonly config: Readonly<{ outputSize?: number }>;
  constructor(config: { outputSize?: number } = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<{ outputSize?: number }>('AdaptiveMaxPool1d', config, ['outputSize'], '{ outputSize: 1 }', rest[0]);
    if (c.outputSize !== undefined) positiveInt('AdaptiveMaxPool1d', 'outputSize', c.outputSize);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'L']);
    return adaptiveMaxPool1d(x, this.config.outputSize ?? 1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `outputSize=${this.config.outputSize ?? 1}`;
  }
}
