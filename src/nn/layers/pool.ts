import type { Tensor } from '../../tensor/index.js';
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../../ops/index.js';
import { Module } from '../module.js';

type Size = number | [number, number];

export interface MaxPool2dConfig {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
}

/** Max pooling; stride < kernelSize gives AlexNet's overlapping pooling. */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: MaxPool2dConfig = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return maxPool2d(x, { kernelSize: this.kernelSize, ...this.opts });
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.opts.stride ?? this.kernelSize)}`;
  }
}

export interface AvgPool2dConfig {
  stride?: Size;
  padding?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: AvgPool2dConfig = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return avgPool2d(x, { kernelSize: this.kernelSize, ...this.opts });
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.opts.stride ?? this.kernelSize)}`;
  }
}

/** Average pooling to a fixed output size whatever the input size (ResNet's, GoogLeNet's head). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Size) {
    super();
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  protected override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/** Mean over each whole feature map: [N, C, H, W] → [N, C, 1, 1]. */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return globalAvgPool2d(x);
  }
}

export class GlobalMaxPool2d extends Module {
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', 'C', 'H', 'W']);
    return globalMaxPool2d(x);
  }
}
