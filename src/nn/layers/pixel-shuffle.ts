import { ShapeError, type Tensor } from '../../tensor/index.js';
import { pixelShuffle, pixelUnshuffle } from '../../ops/index.js';
import { Module } from '../module.js';
import { checkConfig, positiveInt } from './layer-config.js';

export interface PixelShuffleConfig {
  upscaleFactor: number;
}

/** [N, C·r², H, W] → [N, C, H·r, W·r] (sub-pixel convolution's upsampling, as torch.nn.PixelShuffle). */
export class PixelShuffle extends Module {
  static readonly typeName = 'PixelShuffle';
  readonly upscaleFactor: number;
  constructor(config: PixelShuffleConfig) {
    super();
    const c = checkConfig('PixelShuffle', config, ['upscaleFactor'], ['upscaleFactor']);
    this.upscaleFactor = positiveInt('PixelShuffle', 'upscaleFactor', c.upscaleFactor);
  }
  forward(x: Tensor): Tensor {
    const r = this.upscaleFactor;
    this.expectShape(x, ['N', `C·${r * r}`, 'H', 'W']);
    if (x.shape[1] % (r * r) !== 0) throw new ShapeError(`${this.label()} input 0`, `[N, C·${r * r}, H, W] (channels divisible by ${r * r})`, x.shape);
    return pixelShuffle(x, r);
  }
  toConfig(): PixelShuffleConfig {
    return { upscaleFactor: this.upscaleFactor };
  }
  protected override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

export interface PixelUnshuffleConfig {
  downscaleFactor: number;
}

/** [N, C, H·r, W·r] → [N, C·r², H, W], the inverse of PixelShuffle (as torch.nn.PixelUnshuffle). */
export class PixelUnshuffle extends Module {
  static readonly typeName = 'PixelUnshuffle';
  readonly downscaleFactor: number;
  constructor(config: PixelUnshuffleConfig) {
    super();
    const c = checkConfig('PixelUnshuffle', config, ['downscaleFactor'], ['downscaleFactor']);
    this.downscaleFactor = positiveInt('PixelUnshuffle', 'downscaleFactor', c.downscaleFactor);
  }
  forward(x: Tensor): Tensor {
    const r = this.downscaleFactor;
    this.expectShape(x, ['N', 'C', `H·${r}`, `W·${r}`]);
    if (x.shape[2] % r !== 0 || x.shape[3] % r !== 0) throw new ShapeError(`${this.label()} input 0`, `[N, C, H·${r}, W·${r}] (height and width divisible by ${r})`, x.shape);
    return pixelUnshuffle(x, r);
  }
  toConfig(): PixelUnshuffleConfig {
    return { downscaleFactor: this.downscaleFactor };
  }
  protected override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}
